import { z } from 'zod';
import { api } from '../../../lib/api-client';
import { IdOrObject, idOf } from '../../master-data/api/schemas';

export const MeSchema = z.looseObject({
  id: z.number(),
  email: z.string(),
  name: z.string().nullish(),
  role: z.string().nullish(),
  depot: IdOrObject,
  vehicle: IdOrObject,
});

export interface Me {
  id: number;
  email: string;
  name: string;
  role: string;
  depotId: number | null;
  vehicleId: number | null;
  vehicleLabel: string;
}

export function normalizeMe(raw: z.infer<typeof MeSchema>): Me {
  const v = raw.vehicle;
  const vehicleId = idOf(v);
  const vObj = v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  const vehicleLabel =
    (typeof vObj?.registration === 'string' && vObj.registration) ||
    (typeof vObj?.plate_number === 'string' && vObj.plate_number) ||
    (typeof vObj?.name === 'string' && vObj.name) ||
    (vehicleId ? `Vehicle #${vehicleId}` : 'No vehicle');
  return {
    id: raw.id,
    email: raw.email,
    name: raw.name || raw.email,
    role: raw.role ?? 'driver',
    depotId: idOf(raw.depot),
    vehicleId,
    vehicleLabel,
  };
}

export async function getMe(): Promise<Me> {
  const me = normalizeMe(MeSchema.parse(await api.json('/api/me/')));
  if (me.vehicleId && me.vehicleLabel.startsWith('Vehicle #')) {
    try {
      const v = await api.json<Record<string, unknown>>(`/api/vehicles/${me.vehicleId}/`);
      const label = [v.registration, v.plate_number, v.name].find((x) => typeof x === 'string' && x);
      if (label) me.vehicleLabel = label as string;
    } catch {
      /* the label is cosmetic */
    }
  }
  return me;
}
