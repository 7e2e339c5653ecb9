import type { Role } from '../api/types';

/**
 * The app a signed-in user belongs in, when it is not this one: a customer
 * contact has the customer app (/app/customer/); every staff role uses the
 * driver's. Null: stay here.
 */
export function otherAppFor(role: Role, base: string = import.meta.env.BASE_URL): string | null {
  return role === 'customer' ? `${base.replace(/\/?$/, '/')}customer/` : null;
}
