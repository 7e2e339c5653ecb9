import { z } from 'zod';
import { api, unwrapList } from '../../../lib/api-client';
import { db } from '../../../lib/db';
import { CustomerSchema, type Customer } from './schemas';

const SEEN_KEY = 'customers:seen';

async function remember(customers: Customer[]) {
  const prev = ((await db.cache.get(SEEN_KEY))?.data as Customer[] | undefined) ?? [];
  const byId = new Map(prev.map((c) => [c.id, c]));
  for (const c of customers) byId.set(c.id, c);
  await db.cache.put({ key: SEEN_KEY, data: [...byId.values()].slice(-500), fetched_at: Date.now() });
}

/** Online: GET /api/customers/?search=. Offline: the customers seen before. */
export async function searchCustomers(term: string): Promise<{ customers: Customer[]; offline: boolean }> {
  try {
    const data = await api.json<unknown>(`/api/customers/?search=${encodeURIComponent(term)}`);
    const customers = z.array(CustomerSchema).parse(unwrapList(data));
    await remember(customers);
    return { customers, offline: false };
  } catch (e) {
    if ((e as { status?: number }).status) throw e;
    const seen = ((await db.cache.get(SEEN_KEY))?.data as Customer[] | undefined) ?? [];
    const t = term.toLowerCase();
    return { customers: seen.filter((c) => `${c.name} ${c.code ?? ''} ${c.address ?? ''}`.toLowerCase().includes(t)), offline: true };
  }
}

export const rememberCustomers = remember;
