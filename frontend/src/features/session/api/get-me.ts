import { api } from '../../../lib/api-client';
import type { Role } from '../../../api/types';

/** The signed-in user as the app shows them: GET /api/me/ and their vehicle's plate. */
export interface Me {
  id: number;
  email: string;
  name: string;
  role: Role;
  depotId: number | null;
  vehicleId: number | null;
  vehicleLabel: string;
}

export async function getMe(): Promise<Me> {
  const me = await api.get('/api/me/');
  let vehicleLabel = me.vehicle ? `Vehicle #${me.vehicle}` : 'No vehicle';
  if (me.vehicle) {
    try {
      vehicleLabel = (await api.get('/api/vehicles/{id}/', { params: { id: me.vehicle } })).plate_number;
    } catch {
      /* the label is cosmetic */
    }
  }
  return { id: me.id, email: me.email, name: me.name || me.email, role: me.role, depotId: me.depot, vehicleId: me.vehicle, vehicleLabel };
}
