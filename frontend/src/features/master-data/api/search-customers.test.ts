import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db';
import { PRICE_BOOK_KEY } from './get-customer-prices';
import { matchCustomers, searchCustomers } from './search-customers';

const many = Array.from({ length: 3000 }, (_, i) => ({ id: i + 1, code: `C${String(i + 1).padStart(4, '0')}`, name: `Customer ${i + 1} Pte Ltd`, site_address: `Blk ${i} Bedok North St 4`, postal_code: '460085', prices: {} }));
many.push({ id: 9001, code: 'C9001', name: 'Café Jalan Besar', site_address: '12 Jalan Besar', postal_code: '208790', prices: {} });

beforeEach(async () => {
  await db.cache.clear();
});

describe('customer search on the phone', () => {
  it('finds any customer of the whole list, by words in any order, accents ignored', () => {
    expect(matchCustomers(many, 'besar cafe').map((c) => c.id)).toEqual([9001]);
    expect(matchCustomers(many, '208790')).toHaveLength(1);
    expect(matchCustomers(many, 'customer')).toHaveLength(50); // bounded
  });

  it('searches the cached list without the network (a customer never opened before)', async () => {
    await db.cache.put({ key: PRICE_BOOK_KEY, data: { date: '2026-01-19', gst_rates: [], cylinder_types: [], service_items: [], customers: many }, fetched_at: Date.now() });
    const r = await searchCustomers('Jalan Besar');
    expect(r.source).toBe('list');
    expect(r.customers).toEqual([expect.objectContaining({ id: 9001, name: 'Café Jalan Besar', address: '12 Jalan Besar S(208790)' })]);
  });
});
