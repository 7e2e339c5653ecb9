import { api } from '../../../lib/api-client';
import { useCachedQuery } from '../../../lib/cached-query';
import type { MyDay, Stop } from '../../../api/types';
import type { Me } from '../../session/api/get-me';
import { customerFromStop } from '../../master-data/api/schemas';
import { rememberCustomers } from '../../master-data/api/search-customers';

/** A stop of the day with the dispatcher's notes on its order (null: none). */
export interface DayStop extends Omit<Stop, 'notes'> {
  notes: string | null;
}

/** GET /api/my-day/ (the generated MyDayOutput): the stops carry their order's notes. */
export interface DriverDay extends Omit<MyDay, 'stops'> {
  stops: DayStop[];
}

export async function getMyDay(): Promise<DriverDay> {
  const day = await api.get('/api/my-day/');
  await rememberCustomers(day.stops.map((s) => customerFromStop(s.customer)));
  return { ...day, stops: day.stops.map((s) => ({ ...s, notes: s.notes || null })) };
}

export const useMyDay = (me?: Me) => useCachedQuery(me ? `my-day:${me.id}` : null, getMyDay);
