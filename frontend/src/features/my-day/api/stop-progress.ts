import type { EventSummary, OutboxEvent } from '../../../lib/db';
import type { Stop } from '../../../api/types';

// Which of the day's stops are done: the server says DELIVERED, or this
// phone has recorded a delivery for the stop's order (queued or applied; a
// rejected or dismissed one does not count).

const COUNTS: OutboxEvent['status'][] = ['queued', 'applied', 'duplicate'];

export function deliveredOrders(events: EventSummary[]): Set<number> {
  const out = new Set<number>();
  for (const e of events) {
    if (e.type !== 'delivery.create' || !COUNTS.includes(e.status)) continue;
    const order = e.payload.order;
    if (typeof order === 'number') out.add(order);
  }
  return out;
}

export function stopDone(stop: Pick<Stop, 'status' | 'order'>, delivered: Set<number>): boolean {
  return stop.status === 'DELIVERED' || (stop.order !== null && delivered.has(stop.order));
}

/** The first open stop in route order (after `after`, if given, wrapping to earlier open ones). */
export function nextOpenStop<S extends Pick<Stop, 'status' | 'order' | 'sequence'>>(stops: S[], delivered: Set<number>, after?: number): S | undefined {
  const open = stops.filter((s) => !stopDone(s, delivered)).sort((a, b) => a.sequence - b.sequence);
  return (after !== undefined ? open.find((s) => s.sequence > after) : undefined) ?? open[0];
}
