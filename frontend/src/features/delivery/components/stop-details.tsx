import type { CylinderType } from '../../master-data/api/schemas';
import { cylinderLabel } from '../../master-data/api/schemas';
import type { StopCylinders } from '../../../api/types';
import { navigationLinks, telHref } from '../../my-day/api/stop-links';

export { navigationLinks, telHref } from '../../my-day/api/stop-links';

export interface StopInfo {
  phone?: string | null;
  latitude?: string | null;
  longitude?: string | null;
  address?: string | null;
  notes?: string | null;
  balance?: { cylinder_type: number; full_qty: number; empty_qty: number }[];
  cylinders?: StopCylinders[];
  deposit_total?: string;
  delivered?: boolean;
}

export function StopDetails({ info, types }: { info: StopInfo; types: Map<number, CylinderType> }) {
  const nav = navigationLinks(info.latitude, info.longitude, info.address);
  const tel = telHref(info.phone);
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
        {tel && (
          <a className={link} href={tel} data-testid="stop-phone">
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
      <CylindersHeld cylinders={info.cylinders} depositTotal={info.deposit_total} types={types} />
      {held.length > 0 && (
        <p className="text-sm text-stone-700" data-testid="stop-held">
          Customer holds: {held.map((b) => `${cylinderLabel(types.get(b.cylinder_type))} ${b.full_qty} full / ${b.empty_qty} empty`).join(', ')}
        </p>
      )}
    </div>
  );
}

/** Cylinders the customer holds per type and the deposits they paid (from my-day). */
export function CylindersHeld({ cylinders, depositTotal, types }: { cylinders?: StopCylinders[]; depositTotal?: string; types: Map<number, CylinderType> }) {
  const rows = (cylinders ?? []).filter((c) => c.held || c.deposit_units);
  if (!rows.length && (depositTotal === undefined || Number(depositTotal) === 0)) return null;
  return (
    <p className="text-sm text-stone-700" data-testid="stop-cylinders">
      {rows.length > 0 && <>Cylinders held: {rows.map((c) => `${cylinderLabel(types.get(c.cylinder_type))} ${c.held}${c.deposit_units !== c.held ? ` (deposit for ${c.deposit_units})` : ''}`).join(', ')}</>}
      {depositTotal !== undefined && (
        <span className="block" data-testid="stop-deposit">
          Deposit held: SGD {depositTotal}
        </span>
      )}
    </p>
  );
}
