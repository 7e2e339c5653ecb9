import { useEffect, useMemo, useState } from 'react';
import { useSession } from '../../../app/session';
import { Button } from '../../../components/ui/button';
import { Card, Notice } from '../../../components/ui/card';
import { useCylinderTypes } from '../../master-data/api/get-cylinder-types';
import { cylinderLabel, siteAddress } from '../../master-data/api/schemas';
import { ago, useOutboxCounts, usePendingUploads, useSyncStatus, useTick } from '../../sync/hooks';
import { syncEvents } from '../../../offline/sync-state';
import { useInstallPrompt, requestPersistentStorage } from '../../install/use-install-prompt';
import { useMyDay } from '../api/get-my-day';
import { pendingVehicleDelta } from '../pending';
import { deliveredOrders, nextOpenStop, stopDone } from '../api/stop-progress';
import { useLiveQuery } from 'dexie-react-hooks';
import { db } from '../../../lib/db';
import { Icon } from '../../../components/ui/icon';
import { usePriceBook } from '../../master-data/api/get-customer-prices';
import { navigationLinks, stopHoldings, telHref } from '../api/stop-links';
import type { DayStop } from '../api/get-my-day';

const TOTAL_LABELS: Record<string, string> = {
  loaded: 'Fulls loaded at depot',
  delivered: 'Fulls delivered',
  collected: 'Empties collected',
  returned: 'Returned to depot',
  delivered_full: 'Fulls delivered',
  returned_empty: 'Empties picked up',
  collections: 'Fulls collected',
  collected_full: 'Fulls collected',
  empty_returns: 'Empties returned',
  stops_done: 'Stops done',
  stops_total: 'Stops',
  invoices_total: 'Invoiced (SGD)',
  deliveries: 'Deliveries',
  queued: 'Queued on server',
};

export function HomeScreen() {
  const { me, deviceWarning, logout } = useSession();
  const day = useMyDay(me);
  const types = useCylinderTypes();
  const counts = useOutboxCounts();
  const uploads = usePendingUploads();
  const sync = useSyncStatus();
  useTick(30_000);
  const { canInstall, install } = useInstallPrompt();
  const [persisted, setPersisted] = useState<boolean>();
  const queuedEvents = useLiveQuery(() => db.outbox.where('status').equals('queued').toArray()) ?? [];
  const pending = pendingVehicleDelta(queuedEvents);
  const deliveryEvents = useLiveQuery(() => db.outbox.where('type').equals('delivery.create').toArray()) ?? [];
  const delivered = deliveredOrders(deliveryEvents);
  const typeName = useMemo(() => new Map((types.data ?? []).map((t) => [t.id, cylinderLabel(t)])), [types.data]);
  const book = usePriceBook();
  const coords = useMemo(() => new Map((book.data?.customers ?? []).map((c) => [c.id, { latitude: c.latitude, longitude: c.longitude, phone: c.phone }])), [book.data]);

  useEffect(() => {
    void requestPersistentStorage().then(setPersisted);
    const reload = () => void day.reload();
    syncEvents.addEventListener('synced', reload);
    window.addEventListener('online', reload);
    return () => {
      syncEvents.removeEventListener('synced', reload);
      window.removeEventListener('online', reload);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [day.reload]);

  const d = day.data;
  // types with queued changes show even when the server has no row for them yet
  const stockRows = d
    ? [...d.stock, ...[...pending.keys()].filter((t) => !d.stock.some((s) => s.cylinder_type === t)).map((t) => ({ cylinder_type: t, cylinder_type_name: undefined, full_qty: 0, empty_qty: 0 }))]
    : [];
  return (
    <>
      <Card>
        <div className="flex items-start justify-between gap-2">
          <div>
            <p className="text-sm text-stone-500">Driver</p>
            <p className="text-lg font-bold" data-testid="driver-name">{me?.name ?? '…'}</p>
            <p className="text-sm text-stone-500">Vehicle</p>
            <p className="text-lg font-bold" data-testid="vehicle-label">{d?.vehicle?.plate_number ?? me?.vehicleLabel ?? '…'}</p>
          </div>
          <Button
            variant="ghost"
            onClick={() => {
              // Queued events stay on the phone and are sent when this driver signs in again.
              if (counts.queued > 0 && !window.confirm(`${counts.queued} recorded action(s) are not sent yet. They stay on this phone and are sent when you sign in again. Sign out?`)) return;
              void logout();
            }}
          >
            Sign out
          </Button>
        </div>
        {deviceWarning && <Notice tone="warn" className="mt-2">{deviceWarning}</Notice>}
      </Card>

      {(counts.queued > 0 || counts.rejected > 0 || uploads > 0) && (
        <a href="#/sync" className="block">
          <Notice tone={counts.rejected ? 'error' : 'warn'}>
            {counts.queued > 0 && <span className="block font-semibold">{counts.queued} waiting to be sent</span>}
            {counts.rejected > 0 && <span className="block font-semibold">{counts.rejected} rejected by the server: tap to see why</span>}
            {uploads > 0 && <span className="block font-semibold" data-testid="home-pending-uploads">{uploads} signature/photo file{uploads === 1 ? '' : 's'} to upload</span>}
          </Notice>
        </a>
      )}

      <Card>
        <div className="mb-2 flex items-center justify-between">
          <h2 className="text-lg font-bold">Stock on the vehicle</h2>
          <Button variant="ghost" onClick={() => void day.reload()} aria-label="Refresh stock">
            <Icon name="refresh" />
          </Button>
        </div>
        {day.stale && day.fetchedAt && <p className="mb-2 text-sm text-amber-800">Last known figures, from {ago(day.fetchedAt)}.</p>}
        {day.error && !d && <Notice tone="error">{day.error.message}</Notice>}
        {!d && day.loading && <p>Loading…</p>}
        {d && stockRows.length === 0 && <p className="text-stone-600">No cylinders on the vehicle.</p>}
        {pending.size > 0 && <p className="mb-1 text-sm text-amber-800">Figures in brackets are queued on this phone, not yet on the server.</p>}
        {d && stockRows.length > 0 && (
          <table className="w-full text-left" data-testid="stock-table">
            <thead>
              <tr className="text-sm text-stone-500">
                <th className="py-1">Type</th>
                <th className="py-1 text-right">Full</th>
                <th className="py-1 text-right">Empty</th>
              </tr>
            </thead>
            <tbody>
              {stockRows.map((s) => (
                <tr key={s.cylinder_type} className="border-t border-stone-100 text-lg" data-testid={`stock-row-${s.cylinder_type}`} data-full={s.full_qty} data-empty={s.empty_qty}>
                  <td className="py-2">{s.cylinder_type_name ?? typeName.get(s.cylinder_type) ?? `Type #${s.cylinder_type}`}</td>
                  <td className="py-2 text-right font-bold tabular-nums">
                    {s.full_qty}
                    <Pending n={pending.get(s.cylinder_type)?.full} />
                  </td>
                  <td className="py-2 text-right font-bold tabular-nums">
                    {s.empty_qty}
                    <Pending n={pending.get(s.cylinder_type)?.empty} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>

      <Card>
        <h2 className="mb-2 text-lg font-bold">Stops today</h2>
        {d && d.stops.length === 0 && <p className="text-stone-600">No planned stops.</p>}
        {d && d.stops.length > 0 && (() => {
          const next = nextOpenStop(d.stops, delivered);
          return next ? (
            <a href={`#/delivery?stop=${next.id}`} className="mb-2 block rounded-xl bg-amber-700 p-3 text-center font-bold text-white" data-testid="next-stop">
              Next stop {next.sequence}: {next.customer.name}
            </a>
          ) : (
            <p className="mb-2 font-semibold text-emerald-800">All stops delivered.</p>
          );
        })()}
        <ol className="space-y-2">
          {d?.stops.map((s) => (
            <li key={s.id} className={`rounded-xl border ${stopDone(s, delivered) ? 'border-emerald-200 bg-emerald-50' : 'border-stone-200'}`} data-testid="stop-card">
              <a
                href={`#/delivery?stop=${s.id}`}
                className={`flex min-h-14 items-center gap-3 rounded-xl p-3 active:bg-stone-50 ${stopDone(s, delivered) ? 'opacity-80' : ''}`}
                data-testid="stop"
                data-done={stopDone(s, delivered) || undefined}
              >
                <span className={`flex h-9 w-9 shrink-0 items-center justify-center rounded-full font-bold ${stopDone(s, delivered) ? 'bg-emerald-200 text-emerald-900' : 'bg-amber-100'}`}>{stopDone(s, delivered) ? '✓' : s.sequence}</span>
                <span className="flex-1">
                  <span className="block font-semibold">{s.customer.name}</span>
                  <span className="block text-sm text-stone-500">{siteAddress(s.customer.address, s.customer.postal_code)}</span>
                  {(s.eta || s.window_start) && (
                    <span className="block text-sm text-stone-700" data-testid="stop-eta">
                      {s.eta && <>ETA {hhmm(s.eta)}</>}
                      {s.window_start && s.window_end && <> · window {s.window_start.slice(0, 5)}–{s.window_end.slice(0, 5)}</>}
                    </span>
                  )}
                  {s.lines.length > 0 && (
                    <span className="block text-sm text-stone-600">{s.lines.map((l) => `${l.quantity} × ${typeName.get(l.cylinder_type) ?? `#${l.cylinder_type}`}`).join(', ')}</span>
                  )}
                </span>
                {stopDone(s, delivered) ? <span className="text-xs font-bold uppercase text-emerald-800">Delivered</span> : s.status && <span className="text-xs uppercase text-stone-500">{s.status.replace('_', ' ')}</span>}
              </a>
              <StopExtras stop={s} known={coords.get(s.customer.id)} typeName={typeName} />
            </li>
          ))}
        </ol>
      </Card>

      {d && Object.keys(d.totals).length > 0 && (
        <Card>
          <h2 className="mb-2 text-lg font-bold">Day totals</h2>
          <dl className="grid grid-cols-[1fr_auto] gap-y-1" data-testid="day-totals">
            {Object.entries(d.totals).map(([k, v]) => (
              <div key={k} className="contents">
                <dt>{TOTAL_LABELS[k] ?? k.replace(/_/g, ' ')}</dt>
                <dd className="text-right font-bold tabular-nums">{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
              </div>
            ))}
          </dl>
        </Card>
      )}

      <div className="grid grid-cols-2 gap-3">
        <a href="#/distribution" className="flex min-h-20 items-center justify-center rounded-2xl bg-amber-700 p-3 text-center text-lg font-bold text-white">
          Depot load / return
        </a>
        <a href="#/delivery" className="flex min-h-20 items-center justify-center rounded-2xl bg-amber-700 p-3 text-center text-lg font-bold text-white">
          Customer delivery
        </a>
      </div>

      <Card className="space-y-2 text-sm text-stone-600">
        <p>Last successful sync: <strong data-testid="last-sync">{sync?.lastSuccess ? ago(sync.lastSuccess) : 'never'}</strong></p>
        {persisted === false && <p>The browser may clear offline data under storage pressure; install the app to keep it safe.</p>}
        {canInstall && (
          <Button variant="secondary" className="w-full" onClick={() => void install()}>
            Install on home screen
          </Button>
        )}
      </Card>
    </>
  );
}

function Pending({ n }: { n?: number }) {
  if (!n) return null;
  return <span className="block text-xs font-semibold text-amber-800">({n > 0 ? `+${n}` : n} queued)</span>;
}

/** Under each stop: what the customer holds and their deposit, Call, Navigate (Google Maps) and Waze. */
function StopExtras({ stop, known, typeName }: { stop: DayStop; known?: { latitude?: string | null; longitude?: string | null; phone?: string | null }; typeName: Map<number, string> }) {
  const address = siteAddress(stop.customer.address, stop.customer.postal_code);
  const nav = navigationLinks(known?.latitude, known?.longitude, address);
  const phone = stop.customer.phone || known?.phone;
  const tel = telHref(phone);
  const { cylinders, deposit_total } = stopHoldings(stop);
  const held = cylinders.filter((c) => c.held || c.deposit_units);
  const link = 'flex min-h-11 flex-1 items-center justify-center rounded-lg border border-stone-300 bg-white px-2 text-sm font-semibold';
  return (
    <div className="space-y-2 px-3 pb-3">
      {(held.length > 0 || deposit_total !== undefined) && (
        <p className="text-sm text-stone-700" data-testid="stop-cylinders">
          {held.length > 0 ? `Holds ${held.map((c) => `${c.held} × ${typeName.get(c.cylinder_type) ?? `#${c.cylinder_type}`}`).join(', ')}` : 'Holds no cylinders'}
          {deposit_total !== undefined && <span data-testid="stop-deposit"> · deposit SGD {deposit_total}</span>}
        </p>
      )}
      {(tel || nav) && (
        <div className="flex gap-2">
          {tel && (
            <a className={link} href={tel} data-testid="stop-call">
              Call
            </a>
          )}
          {nav && (
            <>
              <a className={link} href={nav.google} target="_blank" rel="noreferrer" data-testid="stop-navigate">
                Navigate
              </a>
              <a className={link} href={nav.waze} target="_blank" rel="noreferrer" data-testid="stop-waze">
                Waze
              </a>
            </>
          )}
        </div>
      )}
    </div>
  );
}

/** "09:40" in Singapore time from an ISO datetime (the dispatch plan's ETA). */
function hhmm(iso: string): string {
  return new Date(iso).toLocaleTimeString('en-SG', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Asia/Singapore' });
}
