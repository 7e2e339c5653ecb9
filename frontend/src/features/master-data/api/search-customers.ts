import { api } from '../../../lib/api-client';
import { db } from '../../../lib/db';
import type { Customer, PriceBookCustomer } from '../../../api/types';
import { siteAddress, type CustomerRef } from './schemas';
import { cachedPriceBook } from './get-customer-prices';

const SEEN_KEY = 'customers:seen';

async function remember(customers: CustomerRef[]) {
  const prev = ((await db.cache.get(SEEN_KEY))?.data as CustomerRef[] | undefined) ?? [];
  const byId = new Map(prev.map((c) => [c.id, c]));
  for (const c of customers) byId.set(c.id, c);
  await db.cache.put({ key: SEEN_KEY, data: [...byId.values()].slice(-500), fetched_at: Date.now() });
}

export const customerFromBook = (c: PriceBookCustomer): CustomerRef => ({ id: c.id, name: c.name, code: c.code, address: siteAddress(c.site_address, c.postal_code), kind: c.kind });

const customerFromServer = (c: Customer): CustomerRef => ({ id: c.id, name: c.name, code: c.code, address: siteAddress(c.site_address, c.postal_code), kind: c.kind });

const norm = (s: string) => s.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '');

/** Every word of the term in name, code, address, postal code or phone. */
export function matchCustomers<C extends { name: string; code?: string | null; site_address?: string | null; address?: string | null; postal_code?: string | null; phone?: string | null }>(
  customers: C[],
  term: string,
  limit = 50,
): C[] {
  const words = norm(term).split(/\s+/).filter(Boolean);
  const hay = (c: C) => norm([c.name, c.code, c.site_address ?? c.address, c.postal_code, c.phone].filter(Boolean).join(' '));
  return customers.filter((c) => words.every((w) => hay(c).includes(w))).slice(0, limit);
}

/**
 * The driver's whole customer list is on the phone (GET /api/customers/prices/,
 * a few thousand rows): searched locally, online or not, so a customer never
 * seen before is found offline too. Without that list (never loaded): the
 * server's search online, the customers seen before offline.
 */
export async function searchCustomers(term: string): Promise<{ customers: CustomerRef[]; offline: boolean; source: 'list' | 'server' | 'seen' }> {
  const book = await cachedPriceBook();
  if (book?.customers.length) {
    return { customers: matchCustomers(book.customers, term).map(customerFromBook), offline: typeof navigator !== 'undefined' && !navigator.onLine, source: 'list' };
  }
  try {
    const customers = (await api.get('/api/customers/', { query: { search: term } })).results.map(customerFromServer);
    await remember(customers);
    return { customers, offline: false, source: 'server' };
  } catch (e) {
    if ((e as { status?: number }).status) throw e;
    const seen = ((await db.cache.get(SEEN_KEY))?.data as CustomerRef[] | undefined) ?? [];
    return { customers: matchCustomers(seen, term), offline: true, source: 'seen' };
  }
}

export const rememberCustomers = remember;
