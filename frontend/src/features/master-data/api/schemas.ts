import type { CylinderType, StopCustomer } from '../../../api/types';

export type { CylinderType, Depot } from '../../../api/types';

/** A customer as a delivery names them, from whichever typed source the app has
 * (the stop, the cached customer list, the server's search). */
export interface CustomerRef {
  id: number;
  name: string;
  code?: string;
  address: string | null;
  kind?: StopCustomer['kind'];
}

/** "12 Jalan Besar S(208790)": the site address as the app prints it. */
export function siteAddress(address: string | null | undefined, postalCode: string | null | undefined): string | null {
  return [address, postalCode && `S(${postalCode})`].filter(Boolean).join(' ') || null;
}

export const customerFromStop = (c: StopCustomer): CustomerRef => ({ id: c.id, name: c.name, address: siteAddress(c.address, c.postal_code), kind: c.kind });

export const cylinderLabel = (t?: Pick<CylinderType, 'name' | 'sku'>) => {
  if (!t) return '?';
  return t.sku && t.sku !== t.name ? `${t.name} (${t.sku})` : t.name;
};
