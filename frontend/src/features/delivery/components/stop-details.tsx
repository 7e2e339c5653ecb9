import type { CylinderType } from '../../master-data/api/schemas';
import { cylinderLabel } from '../../master-data/api/schemas';

export interface StopInfo {
  phone?: string | null;
  latitude?: string | null;
  longitude?: string | null;
  notes?: string | null;
  balance?: { cylinder_type: number; full_qty: number; empty_qty: number }[];
  delivered?: boolean;
}

/** Google Maps and Waze links that start navigation to the coordinates. */
export function navigationLinks(lat?: string | null, lng?: string | null): { google: string; waze: string } | undefined {
  if (!lat || !lng || Number.isNaN(Number(lat)) || Number.isNaN(Number(lng))) return undefined;
  return {
    google: `https://www.google.com/maps/dir/?api=1&destination=${lat},${lng}&travelmode=driving`,
    waze: `https://waze.com/ul?ll=${lat},${lng}&navigate=yes`,
  };
}

export const telHref = (phone: string) => `tel:${phone.replace(/[^\d+]/g, '')}`;

export function StopDetails({ info, types }: { info: StopInfo; types: Map<number, CylinderType> }) {
  const nav = navigationLinks(info.latitude, info.longitude);
  const held = (info.balance ?? []).filter((b) => b.full_qty || b.empty_qty);
  const link = 'flex min-h-12 flex-1 items-center justify-center rounded-xl border border-stone-300 bg-white px-2 text-center font-semibold';
  return (
    <div className="mt-2 space-y-2" data-testid="stop-details">
      {info.delivered && (
        <p className="rounded-lg bg-emerald-100 px-2 py-1 text-sm font-bold text-emerald-900" data-testid="stop-delivered">
          Delivered
        </p>
      )}
      <div className="flex gap-2">
        {info.phone && (
          <a className={link} href={telHref(info.phone)} data-testid="stop-phone">
            Call {info.phone}
          </a>
        )}
        {nav && (
          <>
            <a className={link} href={nav.google} target="_blank" rel="noreferrer" data-testid="navigate-google">
              Navigate
            </a>
            <a className={link} href={nav.waze} target="_blank" rel="noreferrer" data-testid="navigate-waze">
              Waze
            </a>
          </>
        )}
      </div>
      {info.notes && (
        <p className="rounded-lg bg-amber-50 p-2 text-sm" data-testid="stop-notes">
          <strong>Notes:</strong> {info.notes}
        </p>
      )}
      {held.length > 0 && (
        <p className="text-sm text-stone-700" data-testid="stop-held">
          Customer holds: {held.map((b) => `${cylinderLabel(types.get(b.cylinder_type))} ${b.full_qty} full / ${b.empty_qty} empty`).join(', ')}
        </p>
      )}
    </div>
  );
}
