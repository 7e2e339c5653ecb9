import { useEffect, useMemo, useState } from 'react';
import { useSession } from '../../../app/session';
import { navigate } from '../../../app/router';
import { Button } from '../../../components/ui/button';
import { Card, Notice } from '../../../components/ui/card';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { QuantityStepper } from '../../../components/ui/quantity-stepper';
import { recordEvent } from '../../../offline/sync-service';
import { useCylinderTypes } from '../../master-data/api/get-cylinder-types';
import { cylinderLabel, type Customer } from '../../master-data/api/schemas';
import { searchCustomers } from '../../master-data/api/search-customers';
import { useMyDay } from '../../my-day/api/get-my-day';
import { HOUSEHOLD_HOURS_TEXT, HOUSEHOLD_HOURS_WARNING, householdHoursWarning } from '../household-hours';
import { deliveryPayload, PAYMENT_LABELS, PAYMENT_METHODS, pricePreview, type DeliveryLine, type PaymentMethod } from '../pricing';

interface Target {
  customer: Pick<Customer, 'id' | 'name' | 'address' | 'kind'>;
  order: number | null;
  stopLabel?: string;
}

/** The current time, re-read every 15 s so the household-hours warning appears/clears at 07:00 and 21:00. */
function useNow(enabled: boolean): [Date, (d: Date) => void] {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    if (!enabled) return;
    setNow(new Date());
    const timer = window.setInterval(() => setNow(new Date()), 15_000);
    return () => window.clearInterval(timer);
  }, [enabled]);
  return [now, setNow];
}

function HouseholdHoursWarning({ acknowledged, onAcknowledge, testId }: { acknowledged: boolean; onAcknowledge: (v: boolean) => void; testId: string }) {
  return (
    <Notice tone="error" className="space-y-2 text-base" data-testid={testId}>
      <p className="font-bold">{HOUSEHOLD_HOURS_TEXT}</p>
      <p className="text-sm">LPG may only be delivered to homes between 07:00 and 21:00 Singapore time, unless the customer asked for it and it is safe.</p>
      <label className="flex min-h-12 cursor-pointer items-center gap-3 rounded-xl border border-red-300 bg-white p-3 font-semibold">
        <input type="checkbox" className="h-6 w-6 shrink-0 accent-red-700" checked={acknowledged} onChange={(e) => onAcknowledge(e.target.checked)} data-testid={`${testId}-ack`} />
        I acknowledge: the customer asked for delivery now and it is safe.
      </label>
    </Notice>
  );
}

export function DeliveryScreen({ stopId }: { stopId?: number }) {
  const { me } = useSession();
  const day = useMyDay(me);
  const types = useCylinderTypes();
  const [target, setTarget] = useState<Target>();
  const [qty, setQty] = useState<Record<number, { full: number; empty: number }>>({});
  const [payment, setPayment] = useState<PaymentMethod>('CASH');
  const [confirming, setConfirming] = useState(false);
  const [term, setTerm] = useState('');
  const [found, setFound] = useState<{ customers: Customer[]; offline: boolean }>();
  const [searchError, setSearchError] = useState<string>();
  // the acknowledgement belongs to one customer: changing customer clears it
  const [ackHoursFor, setAckHoursFor] = useState<number>();
  const [now, setNow] = useNow(target !== undefined);
  const afterHours = householdHoursWarning(target?.customer.kind, now);
  const ackHours = target !== undefined && ackHoursFor === target.customer.id;
  const setAckHours = (v: boolean) => setAckHoursFor(v ? target?.customer.id : undefined);

  // Opening a stop from My day preselects the customer and the ordered quantities.
  useEffect(() => {
    if (target || !stopId || !day.data) return;
    const stop = day.data.stops.find((s) => s.id === stopId);
    if (!stop) return;
    setTarget({ customer: stop.customer, order: stop.order, stopLabel: `Stop ${stop.sequence}` });
    setQty(Object.fromEntries(stop.lines.map((l) => [l.cylinder_type, { full: l.quantity, empty: l.quantity }])));
  }, [stopId, day.data, target]);

  const typeById = useMemo(() => new Map((types.data ?? []).map((t) => [t.id, t])), [types.data]);
  const lines: DeliveryLine[] = (types.data ?? []).map((t) => ({ cylinder_type: t.id, delivered_full: qty[t.id]?.full ?? 0, returned_empty: qty[t.id]?.empty ?? 0 }));
  const active = lines.filter((l) => l.delivered_full > 0 || l.returned_empty > 0);
  const preview = pricePreview(active, (id) => {
    const p = typeById.get(id)?.list_price;
    return p == null ? undefined : String(p);
  });
  const vehicleFulls = new Map((day.data?.stock ?? []).map((s) => [s.cylinder_type, s.full_qty]));

  async function search() {
    setSearchError(undefined);
    try {
      setFound(await searchCustomers(term.trim()));
    } catch (e) {
      setSearchError((e as Error).message);
    }
  }

  async function confirm() {
    if (!me?.vehicleId || !target) throw new Error('No vehicle or customer.');
    // checked at the moment that becomes the event's occurred_at, which is what the server judges
    const occurredAt = new Date();
    const outOfHours = householdHoursWarning(target.customer.kind, occurredAt);
    if (outOfHours && !ackHours) {
      setNow(occurredAt); // the clock passed 21:00 since the last tick: show the acknowledgement now
      throw new Error(`${HOUSEHOLD_HOURS_TEXT}: tick the acknowledgement first.`);
    }
    const payload = deliveryPayload({
      customer: target.customer.id,
      vehicle: me.vehicleId,
      order: target.order,
      payment_method: payment,
      lines: active,
      acknowledged_warnings: outOfHours ? [HOUSEHOLD_HOURS_WARNING] : undefined,
    });
    const event = await recordEvent('delivery.create', payload, {
      driver: me.name,
      vehicle: me.vehicleLabel,
      customer: target.customer.name,
      customer_address: target.customer.address ?? undefined,
      payment_method: PAYMENT_LABELS[payment],
      lines: active.map((l) => {
        const p = preview.lines.find((x) => x.cylinder_type === l.cylinder_type);
        return {
          label: cylinderLabel(typeById.get(l.cylinder_type)),
          detail: `${l.delivered_full} full${p ? ` x ${p.unit}` : ''}, ${l.returned_empty} empty`,
          amount: p?.amount,
        };
      }),
      totals: [
        { label: 'Fulls delivered', value: String(preview.delivered_full) },
        { label: 'Empties returned', value: String(preview.returned_empty) },
        { label: 'Subtotal (est.)', value: preview.subtotal },
        { label: `GST ${preview.gst_rate}% (est.)`, value: preview.gst },
        { label: 'TOTAL SGD (est.)', value: preview.total },
      ],
    }, occurredAt);
    navigate(`#/event/${event.id}`);
  }

  if (me && !me.vehicleId) return <Notice tone="error">No vehicle is assigned to you. Ask the dispatcher.</Notice>;

  if (!target) {
    return (
      <>
        <Card>
          <h2 className="mb-2 text-lg font-bold">Today's stops</h2>
          {!day.data?.stops.length && <p className="text-stone-600">No planned stops: search the customer below.</p>}
          <ul className="space-y-2">
            {day.data?.stops.map((s) => (
              <li key={s.id}>
                <button
                  type="button"
                  className="flex min-h-14 w-full items-center gap-3 rounded-xl border border-stone-200 p-3 text-left active:bg-stone-50"
                  onClick={() => {
                    setTarget({ customer: s.customer, order: s.order, stopLabel: `Stop ${s.sequence}` });
                    setQty(Object.fromEntries(s.lines.map((l) => [l.cylinder_type, { full: l.quantity, empty: l.quantity }])));
                  }}
                >
                  <span className="flex h-9 w-9 items-center justify-center rounded-full bg-amber-100 font-bold">{s.sequence}</span>
                  <span>
                    <span className="block font-semibold">{s.customer.name}</span>
                    {s.customer.address && <span className="block text-sm text-stone-500">{s.customer.address}</span>}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </Card>
        <Card className="space-y-3">
          <h2 className="text-lg font-bold">Find a customer</h2>
          <form
            className="flex gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              void search();
            }}
          >
            <input id="customer-search" type="search" placeholder="Name, code or address" value={term} onChange={(e) => setTerm(e.target.value)} className="h-12 min-w-0 flex-1 rounded-xl border border-stone-300 px-3 text-lg" />
            <Button type="submit">Search</Button>
          </form>
          {searchError && <Notice tone="error">{searchError}</Notice>}
          {found?.offline && <Notice tone="warn">Offline: showing customers this phone has seen before.</Notice>}
          {found && found.customers.length === 0 && <p className="text-stone-600">No customer found.</p>}
          <ul className="space-y-2">
            {found?.customers.map((c) => (
              <li key={c.id}>
                <button type="button" data-testid="customer-result" className="min-h-14 w-full rounded-xl border border-stone-200 p-3 text-left active:bg-stone-50" onClick={() => setTarget({ customer: c, order: null })}>
                  <span className="block font-semibold">{c.name}</span>
                  {c.address && <span className="block text-sm text-stone-500">{c.address}</span>}
                </button>
              </li>
            ))}
          </ul>
        </Card>
      </>
    );
  }

  return (
    <>
      <Card>
        <p className="text-sm text-stone-500">{target.stopLabel ?? 'Customer'}</p>
        <p className="text-lg font-bold" data-testid="delivery-customer">{target.customer.name}</p>
        {target.customer.address && <p className="text-sm text-stone-600">{target.customer.address}</p>}
        <Button variant="ghost" className="-ml-4" onClick={() => { setTarget(undefined); setQty({}); }}>
          Change customer
        </Button>
      </Card>

      {(types.data ?? []).map((t) => {
        const q = qty[t.id] ?? { full: 0, empty: 0 };
        const onVan = vehicleFulls.get(t.id);
        return (
          <Card key={t.id} className="space-y-2" data-testid={`delivery-type-${t.id}`}>
            <div className="flex items-baseline justify-between">
              <h3 className="font-bold">{cylinderLabel(t)}</h3>
              <span className="text-sm text-stone-500">{t.list_price != null ? `SGD ${t.list_price}` : ''}</span>
            </div>
            <div>
              <span className="text-sm font-semibold">Fulls delivered</span>
              {onVan !== undefined && <span className="ml-2 text-xs text-stone-500">({onVan} on vehicle)</span>}
              <QuantityStepper label={`Fulls delivered ${t.name}`} value={q.full} onChange={(n) => setQty({ ...qty, [t.id]: { ...q, full: n } })} />
            </div>
            <div>
              <span className="text-sm font-semibold">Empties picked up</span>
              <QuantityStepper label={`Empties returned ${t.name}`} value={q.empty} onChange={(n) => setQty({ ...qty, [t.id]: { ...q, empty: n } })} />
            </div>
            {onVan !== undefined && q.full > onVan && <Notice tone="warn">More than the {onVan} fulls on record for the vehicle; the server may refuse it.</Notice>}
          </Card>
        );
      })}

      <Card>
        <h2 className="mb-2 font-bold">Payment</h2>
        <div className="grid grid-cols-2 gap-2">
          {PAYMENT_METHODS.map((m) => (
            <button
              type="button"
              key={m}
              data-payment={m}
              aria-pressed={payment === m}
              onClick={() => setPayment(m)}
              className={`min-h-12 rounded-xl border font-semibold ${payment === m ? 'border-amber-700 bg-amber-100 text-amber-900' : 'border-stone-300 bg-white'}`}
            >
              {PAYMENT_LABELS[m]}
            </button>
          ))}
        </div>
      </Card>

      {afterHours && <HouseholdHoursWarning acknowledged={ackHours} onAcknowledge={setAckHours} testId="household-hours-warning" />}

      <div className="sticky bottom-20 z-30 flex items-center gap-3 rounded-2xl border border-amber-300 bg-amber-50 p-3 shadow-lg" data-testid="delivery-preview">
        <dl className="min-w-0 flex-1 text-sm leading-tight">
          <dt className="sr-only">Fulls and empties</dt>
          <dd className="tabular-nums">
            {preview.delivered_full} full · {preview.returned_empty} empty
          </dd>
          <dt className="sr-only">Total SGD with GST {preview.gst_rate}% (estimate)</dt>
          <dd className="text-xl font-bold tabular-nums" data-testid="preview-total">
            SGD {preview.total}
          </dd>
          <dd className="text-xs text-stone-600 tabular-nums">
            incl. GST {preview.gst} (est.)
          </dd>
        </dl>
        <Button className="min-h-14 px-5 text-lg" disabled={active.length === 0 || (afterHours && !ackHours)} onClick={() => setConfirming(true)}>
          Review
        </Button>
      </div>

      {confirming && (
        <ConfirmDialog
          title="Confirm delivery"
          onBack={() => setConfirming(false)}
          onConfirm={confirm}
          confirmDisabled={afterHours && !ackHours}
          totals={[
            { label: 'Fulls delivered (DELIVERY)', value: preview.delivered_full },
            { label: 'Empties picked up (RETURN)', value: preview.returned_empty },
            { label: 'Subtotal (estimate)', value: preview.subtotal },
            { label: `GST ${preview.gst_rate}%`, value: preview.gst },
            { label: 'Total SGD', value: preview.total },
          ]}
        >
          <p className="font-semibold">{target.customer.name}</p>
          {target.customer.address && <p className="text-sm text-stone-600">{target.customer.address}</p>}
          {afterHours &&
            (ackHours ? (
              <Notice tone="warn" className="my-2" data-testid="confirm-household-hours">
                <strong>{HOUSEHOLD_HOURS_TEXT}</strong> — acknowledged by the driver; recorded with the delivery.
              </Notice>
            ) : (
              // the clock crossed 21:00 (or the acknowledgement was cleared) while the dialog was open
              <HouseholdHoursWarning acknowledged={ackHours} onAcknowledge={setAckHours} testId="confirm-household-hours" />
            ))}
          <p className="mb-2 text-sm text-stone-600">
            Vehicle {me?.vehicleLabel} · Payment <strong>{PAYMENT_LABELS[payment]}</strong>
          </p>
          <ul className="divide-y divide-stone-100" data-testid="confirm-lines">
            {active.map((l) => (
              <li key={l.cylinder_type} className="flex justify-between py-2">
                <span className="font-semibold">{cylinderLabel(typeById.get(l.cylinder_type))}</span>
                <span className="tabular-nums">
                  {l.delivered_full} full · {l.returned_empty} empty
                </span>
              </li>
            ))}
          </ul>
          <p className="mt-2 text-xs text-stone-500">Prices are an estimate at list price; the tax invoice from the office is final.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
