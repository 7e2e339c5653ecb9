import { z } from 'zod';

// Lenient: the API may embed a related object or give its id.
export const IdOrObject = z.union([z.number(), z.looseObject({ id: z.number() })]).nullish();
export const idOf = (v: z.infer<typeof IdOrObject>): number | null => (v == null ? null : typeof v === 'number' ? v : v.id);

export const DepotSchema = z.looseObject({ id: z.number(), name: z.string(), code: z.string().nullish() });
export type Depot = z.infer<typeof DepotSchema>;

export const CylinderTypeSchema = z.looseObject({
  id: z.number(),
  name: z.string(),
  code: z.string().nullish(),
  sku: z.string().nullish(),
  list_price: z.union([z.string(), z.number()]).nullish(),
});
export type CylinderType = z.infer<typeof CylinderTypeSchema>;

export const CustomerSchema = z
  .looseObject({
    id: z.number(),
    name: z.string(),
    code: z.string().nullish(),
    address: z.string().nullish(),
    site_address: z.string().nullish(),
    postal_code: z.string().nullish(),
    kind: z.string().nullish(), // HOUSEHOLD | COMMERCIAL
  })
  .transform((c) => ({ ...c, address: c.address ?? ([c.site_address, c.postal_code && `S(${c.postal_code})`].filter(Boolean).join(' ') || null) }));
export interface Customer {
  id: number;
  name: string;
  code?: string | null;
  address?: string | null;
  /** HOUSEHOLD | COMMERCIAL; absent for customers cached before the field existed. */
  kind?: string | null;
}

export const cylinderLabel = (t?: CylinderType) => {
  if (!t) return '?';
  const code = t.code ?? t.sku;
  return code && code !== t.name ? `${t.name} (${code})` : t.name;
};
