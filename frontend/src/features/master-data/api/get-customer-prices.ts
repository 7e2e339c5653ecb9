import { api } from '../../../lib/api-client';
import { cachedFetch } from '../../../lib/cached-query';
import { db } from '../../../lib/db';
import { useCachedQuery } from '../../../lib/cached-query';
import type { PriceBook } from '../../../api/types';

export type { DatedPrice, PriceBook, PriceBookCustomer } from '../../../api/types';

// GET /api/customers/prices/: every customer this driver may serve (a few
// thousand rows) with their own prices, the list prices, service items and
// the dated GST rates, in one call kept in IndexedDB. It is the offline
// customer search and the source of every figure the app quotes.

export const PRICE_BOOK_KEY = 'customer-prices';

export const fetchPriceBook = (): Promise<PriceBook> => api.get('/api/customers/prices/');

/** Fresh when online, else the copy kept on the phone (undefined if never loaded). */
export async function loadPriceBook(): Promise<PriceBook | undefined> {
  try {
    return (await cachedFetch(PRICE_BOOK_KEY, fetchPriceBook)).data;
  } catch {
    return cachedPriceBook();
  }
}

export async function cachedPriceBook(): Promise<PriceBook | undefined> {
  const hit = await db.cache.get(PRICE_BOOK_KEY);
  return hit ? (hit.data as PriceBook) : undefined;
}

export const usePriceBook = () => useCachedQuery(PRICE_BOOK_KEY, fetchPriceBook);

/** The row in force on `day` (YYYY-MM-DD): the latest valid_from on or before it; a row with no date is the base. */
export function pickDated<T extends { valid_from: string | null }>(rows: readonly T[] | undefined, day: string): T | undefined {
  let best: T | undefined;
  for (const r of rows ?? []) if (r.valid_from === null || r.valid_from <= day) best = r;
  return best;
}

/** Singapore calendar date (UTC+8, no DST) of an instant: the day the server prices by. */
export function sgDay(at: Date = new Date()): string {
  return new Date(at.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

/** billing/pricing.py cylinder_price: customer price in force, else the list price in force. */
export function effectivePrice(book: PriceBook, customerId: number, cylinderType: number, day: string): { price: string; contract: boolean } | undefined {
  const customer = book.customers.find((c) => c.id === customerId);
  const own = pickDated(customer?.prices[String(cylinderType)], day);
  if (own) return { price: own.price, contract: true };
  const listed = pickDated(book.cylinder_types.find((t) => t.id === cylinderType)?.prices, day);
  return listed ? { price: listed.price, contract: false } : undefined;
}

export function gstRateOn(book: PriceBook, day: string): string | undefined {
  return pickDated(book.gst_rates, day)?.rate;
}
