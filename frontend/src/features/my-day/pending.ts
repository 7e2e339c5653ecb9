import type { EventSummary } from '../../lib/db';

export interface Delta {
  full: number;
  empty: number;
}

/**
 * What the vehicle's stock will become once the queued events are applied
 * (the server may still refuse some). Only queued events count: applied ones
 * are already in the server's figures, rejected ones never will be.
 */
export function pendingVehicleDelta(events: EventSummary[]): Map<number, Delta> {
  const out = new Map<number, Delta>();
  const add = (type: number, full: number, empty: number) => {
    const d = out.get(type) ?? { full: 0, empty: 0 };
    d.full += full;
    d.empty += empty;
    out.set(type, d);
  };
  for (const e of events) {
    if (e.status !== 'queued') continue;
    if (e.type === 'distribution.create') {
      for (const i of e.payload.items) {
        if (i.movement_type === 'COLLECTION') add(i.cylinder_type, i.quantity, 0);
        else if (i.movement_type === 'FULL_RETURN') add(i.cylinder_type, -i.quantity, 0);
        else if (i.movement_type === 'EMPTY_RETURN') add(i.cylinder_type, 0, -i.quantity);
      }
    } else if (e.type === 'delivery.create') {
      for (const l of e.payload.lines) {
        add(l.cylinder_type, -(l.delivered_full ?? 0), l.returned_empty ?? 0);
      }
    }
  }
  return out;
}
