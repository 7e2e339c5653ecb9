import { api } from '../../../lib/api-client';
import { cachedFetch } from '../../../lib/cached-query';
import { db } from '../../../lib/db';
import type { Company } from '../../../api/types';

// GET /api/company/: the supplier on every receipt and tax invoice (IRAS:
// name, address, GST registration number), from the server's settings.
// Kept on the phone so receipts print offline.

export type { Company } from '../../../api/types';

export const COMPANY_KEY = 'company';

export const fetchCompany = (): Promise<Company> => api.get('/api/company/');

/** Fresh when online, else the copy on the phone; undefined only if never loaded. */
export async function loadCompany(): Promise<Company | undefined> {
  try {
    return (await cachedFetch(COMPANY_KEY, fetchCompany)).data;
  } catch {
    return cachedCompany();
  }
}

export async function cachedCompany(): Promise<Company | undefined> {
  const hit = await db.cache.get(COMPANY_KEY);
  return hit ? (hit.data as Company) : undefined;
}
