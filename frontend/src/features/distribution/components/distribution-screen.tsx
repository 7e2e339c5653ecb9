import { useEffect, useMemo, useReducer, useState } from 'react';
import { useSession } from '../../../app/session';
import { navigate } from '../../../app/router';
import { Button } from '../../../components/ui/button';
import { Card, Notice } from '../../../components/ui/card';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { QuantityStepper } from '../../../components/ui/quantity-stepper';
import { recordEvent } from '../../../offline/sync-service';
import { useCylinderTypes } from '../../master-data/api/get-cylinder-types';
import { useMyDay } from '../../my-day/api/get-my-day';
import { db, kvDelete, kvGet, kvSet } from '../../../lib/db';
import { useLiveQuery } from 'dexie-react-hooks';
import { DISTRIBUTION_DRAFT_KEY, distributionDraftOrigin, type DraftOrigin } from '../../../offline/drafts';
import { pendingVehicleDelta } from '../../my-day/pending';
import { useDepots } from '../../master-data/api/get-depots';
import { cylinderLabel } from '../../master-data/api/schemas';
import { SerialEntry } from '../../../components/ui/serial-entry';
import { serialProblem, type SerialOwners } from '../../../lib/serials';
import { distributionPayload, linesReducer, type DistributionLine, MOVEMENT_LABELS, MOVEMENT_SHORT, MOVEMENTS, totalsByMovement, type Movement, vehicleShortages } from '../lines';

const DRAFT_KEY = DISTRIBUTION_DRAFT_KEY;
const ORIGIN_KEY = `${DISTRIBUTION_DRAFT_KEY}.origin`;
const selectClass = 'h-14 w-full rounded-xl border border-stone-300 bg-white px-3 text-lg';

export function DistributionScreen() {
  const { me } = useSession();
  const depots = useDepots();
  const types = useCylinderTypes();
  const day = useMyDay(me);
  const [lines, dispatch] = useReducer(linesReducer, []);
  const [draftLoaded, setDraftLoaded] = useState(false);
  const [depot, setDepot] = useState<number>();
  const [cylinderType, setCylinderType] = useState<number>();
  const [movement, setMovement] = useState<Movement>('COLLECTION');
  const [quantity, setQuantity] = useState(1);
  const [editing, setEditing] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  const [origin, setOrigin] = useState<DraftOrigin>();
  const [showSerials, setShowSerials] = useState<Record<string, boolean>>({});
  const queuedEvents = useLiveQuery(() => db.outbox.where('status').equals('queued').toArray()) ?? [];

  // The lines being entered survive closing the app (a draft, never sent).
  useEffect(() => {
    void Promise.all([kvGet<DistributionLine[]>(DRAFT_KEY), distributionDraftOrigin()]).then(([draft, from]) => {
      if (draft?.length) dispatch({ type: 'replace', lines: draft });
      setOrigin(draft?.length ? from : undefined);
      setDraftLoaded(true);
    });
  }, []);
  useEffect(() => {
    if (draftLoaded) void (lines.length ? kvSet(DRAFT_KEY, lines) : Promise.all([kvDelete(DRAFT_KEY), kvDelete(ORIGIN_KEY)]));
  }, [lines, draftLoaded]);

  useEffect(() => {
    if (depot === undefined && depots.data?.length) setDepot(depots.data.find((d) => d.id === me?.depotId)?.id ?? depots.data[0].id);
  }, [depots.data, depot, me?.depotId]);
  useEffect(() => {
    if (cylinderType === undefined && types.data?.length) setCylinderType(types.data[0].id);
  }, [types.data, cylinderType]);

  const depotName = useMemo(() => new Map((depots.data ?? []).map((d) => [d.id, d.name])), [depots.data]);
  const typeName = useMemo(() => new Map((types.data ?? []).map((t) => [t.id, cylinderLabel(t)])), [types.data]);
  const totals = totalsByMovement(lines);
  const onVehicle = day.data?.stock.find((x) => x.cylinder_type === cylinderType);
  const totalRows = MOVEMENTS.map((m) => ({ label: MOVEMENT_SHORT[m], value: totals[m] }));
  const serialisedType = new Set((types.data ?? []).filter((t) => (t as { serialised?: boolean }).serialised === true).map((t) => t.id));
  const owners: SerialOwners = new Map(lines.flatMap((l) => (l.serials ?? []).map((x) => [x, `${typeName.get(l.cylinder_type) ?? `#${l.cylinder_type}`} ${MOVEMENT_SHORT[l.movement_type].toLowerCase()}`] as const)));
  const serialIssue = lines
    .map((l) => {
      const p = serialProblem(l.serials ?? [], l.quantity, serialisedType.has(l.cylinder_type));
      return p && `${typeName.get(l.cylinder_type) ?? `#${l.cylinder_type}`} ${MOVEMENT_SHORT[l.movement_type].toLowerCase()}: ${p}`;
    })
    .find(Boolean);
  const short = vehicleShortages(lines, day.data?.stock ?? [], pendingVehicleDelta(queuedEvents));

  function submitLine() {
    if (depot === undefined || cylinderType === undefined || quantity < 1) return;
    if (editing) dispatch({ type: 'edit', key: editing, changes: { depot, cylinder_type: cylinderType, movement_type: movement, quantity } });
    else dispatch({ type: 'add', line: { depot, cylinder_type: cylinderType, movement_type: movement, quantity } });
    setEditing(undefined);
    setQuantity(1);
  }

  async function confirm() {
    if (!me?.vehicleId) throw new Error('No vehicle is assigned to you.');
    const event = await recordEvent('distribution.create', distributionPayload(me.vehicleId, lines), {
      driver: me.name,
      vehicle: me.vehicleLabel,
      lines: lines.map((l) => ({ label: `${depotName.get(l.depot) ?? `Depot #${l.depot}`}: ${typeName.get(l.cylinder_type) ?? `#${l.cylinder_type}`}`, detail: `${MOVEMENT_SHORT[l.movement_type]} ${l.quantity}`, ...(l.serials?.length ? { serials: [...l.serials] } : {}) })),
      totals: totalRows.filter((t) => t.value > 0).map((t) => ({ label: t.label, value: String(t.value) })),
    });
    dispatch({ type: 'clear' });
    await kvDelete(DRAFT_KEY);
    await kvDelete(ORIGIN_KEY);
    navigate(`#/event/${event.id}`);
  }

  if (me && !me.vehicleId) return <Notice tone="error">No vehicle is assigned to you. Ask the dispatcher.</Notice>;
  const masterMissing = (!depots.data && depots.error) || (!types.data && types.error);

  return (
    <>
      {origin && (
        <Notice tone="error" data-testid="draft-origin">
          <strong className="block">Reopened from a rejected distribution (ref {origin.event_id.slice(0, 8)})</strong>
          <span className="block text-sm">{origin.detail}</span>
          <span className="block text-sm">Change the lines below, then Review and Confirm to record it again. The rejected one stays in Sync › History.</span>
        </Notice>
      )}
      {masterMissing && <Notice tone="error">Depots and cylinder types could not be loaded: {(depots.error ?? types.error)?.message}. Connect once to download them.</Notice>}
      <Card className="space-y-3">
        <h2 className="text-lg font-bold">{editing ? 'Change line' : 'Add a line'}</h2>
        <label className="block">
          <span className="mb-1 block text-sm font-semibold">Depot</span>
          <select id="depot" className={selectClass} value={depot ?? ''} onChange={(e) => setDepot(Number(e.target.value))}>
            {(depots.data ?? []).map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label className="block">
          <span className="mb-1 block text-sm font-semibold">Cylinder type</span>
          <select id="cylinder-type" className={selectClass} value={cylinderType ?? ''} onChange={(e) => setCylinderType(Number(e.target.value))}>
            {(types.data ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {cylinderLabel(t)}
              </option>
            ))}
          </select>
        </label>
        {onVehicle && (
          <p className="text-sm text-stone-600" data-testid="on-vehicle">
            On the vehicle: <strong>{onVehicle.full_qty}</strong> full, <strong>{onVehicle.empty_qty}</strong> empty
          </p>
        )}
        <fieldset>
          <legend className="mb-1 text-sm font-semibold">Movement</legend>
          <div className="grid gap-2">
            {MOVEMENTS.map((m) => (
              <button
                type="button"
                key={m}
                data-movement={m}
                aria-pressed={movement === m}
                onClick={() => setMovement(m)}
                className={`min-h-12 rounded-xl border px-3 text-left font-semibold ${movement === m ? 'border-amber-700 bg-amber-100 text-amber-900' : 'border-stone-300 bg-white'}`}
              >
                {MOVEMENT_LABELS[m]}
              </button>
            ))}
          </div>
        </fieldset>
        <div>
          <span className="mb-1 block text-sm font-semibold">Quantity</span>
          <QuantityStepper id="quantity" label="Quantity" value={quantity} min={1} onChange={setQuantity} />
        </div>
        <div className="flex gap-2">
          {editing && (
            <Button variant="secondary" className="flex-1" onClick={() => { setEditing(undefined); setQuantity(1); }}>
              Cancel
            </Button>
          )}
          <Button className="flex-1" onClick={submitLine} disabled={depot === undefined || cylinderType === undefined}>
            {editing ? 'Save line' : 'Add line'}
          </Button>
        </div>
      </Card>

      <Card>
        <h2 className="mb-2 text-lg font-bold">Lines</h2>
        {lines.length === 0 && <p className="text-stone-600">No lines yet.</p>}
        <ul className="space-y-3">
          {lines.map((l) => (
            <li key={l.key} data-testid="line" className={`rounded-xl border p-3 ${editing === l.key ? 'border-amber-600 bg-amber-50' : 'border-stone-200'}`}>
              <p className="font-semibold">{typeName.get(l.cylinder_type) ?? `#${l.cylinder_type}`}</p>
              <p className="text-sm text-stone-600">
                {MOVEMENT_SHORT[l.movement_type]} · {depotName.get(l.depot) ?? `Depot #${l.depot}`}
              </p>
              {l.reason && (
                <p className="mt-1 text-sm font-semibold text-red-800" data-testid="line-reason">
                  Server: {l.reason}
                </p>
              )}
              <div className="mt-2">
                <QuantityStepper label={`Quantity of line ${typeName.get(l.cylinder_type) ?? ''} ${MOVEMENT_SHORT[l.movement_type]}`} value={l.quantity} min={1} onChange={(n) => dispatch({ type: 'set', key: l.key, quantity: n })} />
              </div>
              {(serialisedType.has(l.cylinder_type) || l.serials?.length || showSerials[l.key]) ? (
                <div className="mt-2">
                  <SerialEntry
                    label="Serials"
                    serials={l.serials ?? []}
                    quantity={l.quantity}
                    serialised={serialisedType.has(l.cylinder_type)}
                    owners={owners}
                    onChange={(list) => dispatch({ type: 'serials', key: l.key, serials: list })}
                    testId={`line-serials-${l.cylinder_type}-${l.movement_type}`}
                  />
                </div>
              ) : (
                <Button variant="ghost" className="-ml-4 mt-1 min-h-10 text-sm" onClick={() => setShowSerials((m) => ({ ...m, [l.key]: true }))}>
                  Add serial numbers
                </Button>
              )}
              <div className="mt-2 flex gap-2">
                <Button variant="secondary" className="flex-1" onClick={() => { setEditing(l.key); setDepot(l.depot); setCylinderType(l.cylinder_type); setMovement(l.movement_type); setQuantity(l.quantity); window.scrollTo(0, 0); }}>
                  Edit
                </Button>
                <Button variant="secondary" className="flex-1 text-red-700" onClick={() => dispatch({ type: 'remove', key: l.key })}>
                  Remove
                </Button>
              </div>
            </li>
          ))}
        </ul>
      </Card>

      <div className="sticky bottom-20 z-30 flex items-center gap-2 rounded-2xl border border-amber-300 bg-amber-50 p-2 shadow-lg" data-testid="running-totals">
        <dl className="grid flex-1 grid-cols-3 gap-1 text-center">
          {MOVEMENTS.map((m) => (
            <div key={m}>
              <dt className="text-[11px] leading-tight text-stone-600">{MOVEMENT_SHORT[m]}</dt>
              <dd className="text-xl font-bold tabular-nums" data-testid={`total-${m}`}>
                {totals[m]}
              </dd>
            </div>
          ))}
        </dl>
        <Button className="min-h-14 px-4 text-lg" disabled={lines.length === 0 || !!editing || !!serialIssue} onClick={() => setConfirming(true)}>
          Review
        </Button>
      </div>
      {serialIssue && (
        <p className="-mt-2 text-right text-xs font-semibold text-red-800" data-testid="review-disabled-reason">
          {serialIssue}
        </p>
      )}

      {confirming && (
        <ConfirmDialog title="Confirm distribution" totals={totalRows} onBack={() => setConfirming(false)} onConfirm={confirm}>
          <p className="mb-2 text-sm text-stone-600">
            Driver <strong>{me?.name}</strong> · Vehicle <strong>{me?.vehicleLabel}</strong>
          </p>
          <ul className="divide-y divide-stone-100" data-testid="confirm-lines">
            {lines.map((l) => (
              <li key={l.key} className="flex justify-between gap-2 py-2">
                <span>
                  <span className="block font-semibold">{typeName.get(l.cylinder_type)}</span>
                  <span className="block text-sm text-stone-600">
                    {MOVEMENT_LABELS[l.movement_type]} · {depotName.get(l.depot)}
                  </span>
                </span>
                <span className="text-xl font-bold tabular-nums">{l.quantity}</span>
              </li>
            ))}
          </ul>
          {short.length > 0 && (
            <Notice tone="error" className="mt-2" data-testid="short-warning">
              <strong className="block">The vehicle does not hold this on record: the server will refuse it.</strong>
              {short.map((s) => (
                <span key={`${s.cylinder_type}-${s.state}`} className="block text-sm">
                  {typeName.get(s.cylinder_type) ?? `#${s.cylinder_type}`}: {s.state === 'EMPTY' ? 'empties' : 'fulls'} on the vehicle {s.available}, returning {s.requested}
                </span>
              ))}
            </Notice>
          )}
          <p className="mt-2 text-sm text-stone-600">Check the cylinders physically. Confirm records this for good; a mistake needs a reversing document.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
