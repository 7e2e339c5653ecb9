import { z } from 'zod';
import { api, errorFromResponse } from '../lib/api-client';
import { db, kvGet } from '../lib/db';
import { getOrCreateDevice, setDeviceId } from './device-key';
import type { SyncTransport } from './outbox';

const DeviceAnswer = z.looseObject({ id: z.string() });

/** POST /api/devices/ {name, public_key_jwk} -> {id}; remembered per user on this phone. */
export async function registerDevice(user: string): Promise<string> {
  const device = await getOrCreateDevice(user);
  if (device.device_id) return device.device_id;
  const res = await api.request('/api/devices/', { body: { name: device.name, public_key_jwk: device.public_key_jwk } });
  if (!res.ok) throw await errorFromResponse(res);
  const { id } = DeviceAnswer.parse(await res.json());
  await setDeviceId(user, id);
  return id;
}

export const CURRENT_USER_KEY = 'session.user';

export const syncTransport: SyncTransport = {
  currentUser: () => kvGet<string>(CURRENT_USER_KEY),
  postSync: (body) => api.request('/api/sync/', { body }),
  deviceId: async () => {
    const user = await kvGet<string>(CURRENT_USER_KEY);
    if (!user) throw new Error('No signed-in user on this phone');
    const device = await db.devices.get(user);
    return device?.device_id ?? registerDevice(user);
  },
};
