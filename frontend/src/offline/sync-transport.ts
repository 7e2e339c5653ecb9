import { api } from '../lib/api-client';
import { db, kvGet } from '../lib/db';
import { getOrCreateDevice, setDeviceId } from './device-key';
import type { SyncTransport } from './outbox';
import { CURRENT_USER_KEY } from './sync-state';

/** POST /api/devices/ {name, public_key_jwk} -> {id}; remembered per user on this phone. */
export async function registerDevice(user: string): Promise<string> {
  const device = await getOrCreateDevice(user);
  if (device.device_id) return device.device_id;
  const { x, y } = device.public_key_jwk;
  if (!x || !y) throw new Error('This phone has no usable signing key.');
  const { id } = await api.post('/api/devices/', { name: device.name, public_key_jwk: { kty: 'EC', crv: 'P-256', x, y } });
  await setDeviceId(user, id);
  return id;
}

export { CURRENT_USER_KEY };

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
