import { api } from '../../lib/api-client';
import { db, type OutboxEvent } from '../../lib/db';

/**
 * An applied delivery's tax invoice with its lines (GET /api/invoices/{id}/),
 * fetched once and kept on the event, so the receipt prints the server's
 * lines, not the phone's. Offline or refused: the event as it is.
 */
export async function loadInvoiceDetail(event: OutboxEvent): Promise<OutboxEvent> {
  if (event.type !== 'delivery.create' || (event.status !== 'applied' && event.status !== 'duplicate') || event.invoice) return event;
  const id = event.result?.invoice?.id;
  if (id == null) return event;
  try {
    const invoice = await api.get('/api/invoices/{id}/', { params: { id } });
    if (event.seq !== undefined) await db.outbox.update(event.seq, { invoice });
    return { ...event, invoice };
  } catch {
    return event;
  }
}
