import { z } from 'zod';
import { api } from '../../../lib/api-client';
import { cachedFetch } from '../../../lib/cached-query';
import { db } from '../../../lib/db';

// GET /api/company/: the supplier on every receipt and tax invoice (IRAS:
// name, address, GST registration number), from the server's settings.
// Kept on the phone so receipts print offline.

export const CompanySchema = z.looseObject({
  name: z.string(),
  address: z.string().default(''),
  uen: z.string().default(''),
  gst_reg_no: z.string().default(''),
  phone: z.string().default(''),
  email: z.string().default(''),
  paynow_uen: z.string().default(''),
});
export type Company = z.infer<typeof CompanySchema>;

export const COMPANY_KEY = 'company';

export async function fetchCompany(): Promise<Company> {
  return CompanySchema.parse(await api.json<unknown>('/api/company/'));
}

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
  return hit ? CompanySchema.parse(hit.data) : undefined;
}
