import type { StopCylinders } from '../../../api/types';

// What a stop offers the driver besides the delivery: turn-by-turn navigation
// (Google Maps, Waze) and a call to the customer, and what the customer holds.

const coordinate = (v: string | number | null | undefined, limit: number): string | undefined => {
  if (v === null || v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && Math.abs(n) <= limit ? String(v).trim() : undefined;
};

/**
 * Google Maps and Waze links that start navigation: to the coordinates when
 * the customer has them, else to the address as a search.
 */
export function navigationLinks(lat?: string | number | null, lng?: string | number | null, address?: string | null): { google: string; waze: string; exact: boolean } | undefined {
  const la = coordinate(lat, 90);
  const lo = coordinate(lng, 180);
  if (la !== undefined && lo !== undefined && !(Number(la) === 0 && Number(lo) === 0)) {
    return {
      google: `https://www.google.com/maps/dir/?api=1&destination=${la},${lo}&travelmode=driving`,
      waze: `https://waze.com/ul?ll=${la},${lo}&navigate=yes`,
      exact: true,
    };
  }
  const q = address?.trim();
  if (!q) return undefined;
  const enc = encodeURIComponent(q);
  return {
    google: `https://www.google.com/maps/dir/?api=1&destination=${enc}&travelmode=driving`,
    waze: `https://waze.com/ul?q=${enc}&navigate=yes`,
    exact: false,
  };
}

/** tel: link from a phone number as typed ("+65 9123 4567" -> tel:+6591234567); undefined without digits. */
export function telHref(phone?: string | null): string | undefined {
  if (!phone) return undefined;
  const trimmed = phone.trim();
  const digits = trimmed.replace(/[^\d]/g, '');
  if (digits.length < 3) return undefined;
  return `tel:${trimmed.startsWith('+') ? '+' : ''}${digits}`;
}

/** A stop's `cylinders` and `deposit_total` (deposits branch), read defensively: absent on older servers. */
export function stopHoldings(stop: object): { cylinders: StopCylinders[]; deposit_total?: string } {
  const s = stop as { cylinders?: unknown; deposit_total?: unknown };
  const cylinders = Array.isArray(s.cylinders)
    ? (s.cylinders as Partial<StopCylinders>[])
        .filter((c) => typeof c?.cylinder_type === 'number')
        .map((c) => ({ cylinder_type: c.cylinder_type!, held: Number(c.held ?? 0), deposit_units: Number(c.deposit_units ?? 0) }))
    : [];
  const deposit = s.deposit_total;
  return { cylinders, deposit_total: typeof deposit === 'string' || typeof deposit === 'number' ? String(deposit) : undefined };
}
