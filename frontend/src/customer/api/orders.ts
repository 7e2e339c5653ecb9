import { api } from '../client';
import type { CustomerOrder, OrderInput, Quote } from './types';

/** The contact's orders, newest first (one page: at most 3 are open at a time). */
export async function getOrders(): Promise<CustomerOrder[]> {
  const page = await api.get('/api/customer/orders/', { query: { page_size: 50 } });
  return [...page.results].sort((a, b) => b.id - a.id);
}

export const getOrder = (id: number): Promise<CustomerOrder> => api.get('/api/customer/orders/{id}/', { params: { id } });

/** What the order would cost; records nothing. */
export const getQuote = (body: Pick<OrderInput, 'lines' | 'scheduled_for'>): Promise<Quote> => api.post('/api/customer/quote/', body);

/** The order, with the confirm screen's one Idempotency-Key (a double tap or a retry makes one order). */
export const placeOrder = (body: OrderInput, idempotencyKey: string): Promise<CustomerOrder> =>
  api.post('/api/customer/orders/', body, { headers: { 'Idempotency-Key': idempotencyKey } });

export const cancelOrder = (id: number, reason: string): Promise<CustomerOrder> => api.post('/api/customer/orders/{id}/cancel/', { reason }, { params: { id } });

const OPEN = new Set(['PLANNED', 'ASSIGNED', 'PARTLY_DELIVERED']);
export const isOpen = (o: CustomerOrder): boolean => OPEN.has(o.status);
/** The contact may cancel while no dispatcher has planned it (the server says 409 order_planned otherwise). */
export const mayCancel = (o: CustomerOrder): boolean => o.status === 'PLANNED' && o.tracking.state === 'received';

/** On credit hold the order's notes start with the line the driver reads at the stop; the reason is the rest of it. */
export function payAtDoorReason(order: Pick<CustomerOrder, 'payment_at_door' | 'notes'>): string | undefined {
  if (!order.payment_at_door) return undefined;
  return order.notes.split('\n')[0].replace(/^PAYMENT AT THE DOOR:\s*/, '');
}
