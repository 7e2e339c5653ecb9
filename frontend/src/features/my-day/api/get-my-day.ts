import { api } from '../../../lib/api-client';
import { useCachedQuery } from '../../../lib/cached-query';
import type { MyDay, Stop } from '../../../api/types';
import type { Me } from '../../session/api/get-me';
import { customerFromStop } from '../../master-data/api/schemas';
import { rememberCustomers } from '../../master-data/api/search-customers';

/** A stop of the day with the dispatcher's notes on its order. */
export interface DayStop extends Stop {
  notes: string | null;
}

/** GET /api/my-day/ (the generated MyDayOutput), the stops with their order notes. */
export interface DriverDay extends Omit<MyDay, 'stops'> {
  stops: DayStop[];
}

/** The dispatcher's notes of the day's orders (GET /api/orders/, the driver's own); best effort. */
async function orderNotes(day: MyDay): Promise<Map<number, string>> {
  if (!day.stops.length) return new Map();
  try {
    const orders = await api.get('/api/orders/', { query: { scheduled_for: day.date, page_size: 200 } });
    return new Map(orders.results.filter((o) => o.notes).map((o) => [o.id, o.notes]));
  } catch {
    return new Map(); // the stops show without notes
  }
}

export async function getMyDay(): Promise<DriverDay> {
  const day = await api.get('/api/my-day/');
  const notes = await orderNotes(day);
  await rememberCustomers(day.stops.map((s) => customerFromStop(s.customer)));
  return { ...day, stops: day.stops.map((s) => ({ ...s, notes: notes.get(s.order) ?? null })) };
}

export const useMyDay = (me?: Me) => useCachedQuery(me ? `my-day:${me.id}` : null, getMyDay);
