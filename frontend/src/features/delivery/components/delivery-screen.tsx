import { useEffect, useMemo, useState } from 'react';
import { useSession } from '../../../app/session';
import { navigate } from '../../../app/router';
import { Button } from '../../../components/ui/button';
import { Card, Notice } from '../../../components/ui/card';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { QuantityStepper } from '../../../components/ui/quantity-stepper';
import { recordEvent } from '../../../offline/sync-service';
import { useCylinderTypes } from '../../master-data/api/get-cylinder-types';
import { customerFromStop, cylinderLabel, type CustomerRef } from '../../master-data/api/schemas';
import { searchCustomers } from '../../master-data/api/search-customers';
import { useMyDay } from '../../my-day/api/get-my-day';
import { HOUSEHOLD_HOURS_TEXT, HOUSEHOLD_HOURS_WARNING, householdHoursWarning } from '../household-hours';
import { changeDue, deliveryPayload, PAYMENT_LABELS, paymentChoices, pricePreview, type DeliveryLine, type PaymentMethod } from '../pricing';
import { effectivePrice, sgDay, usePriceBook } from '../../master-data/api/get-customer-prices';
import { customerFromBook } from '../../master-data/api/search-customers';
import { useCompany } from '../../company/api/use-company';
import { paynowPayload, qrSvg } from '../paynow';
import { formatCents, toCents } from '../../../lib/money';
import { StopDetails, type StopInfo } from './stop-details';
import { useLiveQuery } from 'dexie-react-hooks';
import { db, kvDelete, kvGet } from '../../../lib/db';
import { DELIVERY_DRAFT_KEY, type DeliveryDraft } from '../../../offline/drafts';
import { deliveredOrders, stopDone } from '../../my-day/api/stop-progress';
import type { DayStop } from '../../my-day/api/get-my-day';
import { stopHoldings } from '../../my-day/api/stop-links';
import { SerialEntry } from '../../../components/ui/serial-entry';
import { serialProblem, type SerialOwners } from '../../../lib/serials';
import { attachmentsOf, storeAttachments } from '../../../offline/attachments';
import { buildProof, emptyProof, proofFromFiles, type ProofDraft } from '../proof';
import { ProofForm } from './proof-form';
import { useCustomerCylinders } from '../../master-data/api/get-customer-cylinders';
import type { DepositHolding } from '../pricing';

type LineSerials = { delivered: string[]; returned: string[] };
const NO_SERIALS: LineSerials = { delivered: [], returned: [] };
/** A cylinder type the server tracks by serial (issue 13): serials are required on its lines. */
const isSerialised = (t: unknown) => (t as { serialised?: boolean } | undefined)?.serialised === true;

interface Target {
  customer: CustomerRef;
  order: number | null;
  stopLabel?: string;
  stop?: DayStop;
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

export function DeliveryScreen({ stopId, draft }: { stopId?: number; draft?: boolean }) {
  const { me } = useSession();
  const day = useMyDay(me);
  const types = useCylinderTypes();
  const book = usePriceBook();
  const company = useCompany();
  const [target, setTarget] = useState<Target>();
  const [qty, setQty] = useState<Record<number, { full: number; empty: number }>>({});
  const [serials, setSerials] = useState<Record<number, LineSerials>>({});
  const [showSerials, setShowSerials] = useState<Record<number, boolean>>({});
  const [proof, setProof] = useState<ProofDraft>(emptyProof);
  const [payment, setPayment] = useState<PaymentMethod>('CASH');
  const [tendered, setTendered] = useState('');
  const [paynowRef, setPaynowRef] = useState('');
  const [eventId] = useState(() => crypto.randomUUID());
  const [origin, setOrigin] = useState<DeliveryDraft['origin']>();
  const [reasons, setReasons] = useState<Record<number, string>>({});
  const deliveries = useLiveQuery(() => db.outbox.where('type').equals('delivery.create').toArray()) ?? [];
  const delivered = deliveredOrders(deliveries);
  const [confirming, setConfirming] = useState(false);
  const [term, setTerm] = useState('');
  const [found, setFound] = useState<{ customers: CustomerRef[]; offline: boolean }>();
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
    setTarget({ customer: customerFromStop(stop.customer), order: stop.order, stopLabel: `Stop ${stop.sequence}`, stop });
    setQty(Object.fromEntries(stop.lines.map((l) => [l.cylinder_type, { full: l.quantity, empty: l.quantity }])));
  }, [stopId, day.data, target]);

  // A rejected delivery reopened as a draft: its customer, lines and payment, with the server's reasons.
  useEffect(() => {
    if (!draft || target) return;
    void kvGet<DeliveryDraft>(DELIVERY_DRAFT_KEY).then((d) => {
      if (!d) return;
      const known = book.data?.customers.find((c) => c.id === d.customer);
      const stop = day.data?.stops.find((s) => s.order !== null && s.order === d.order);
      setTarget({ customer: known ? customerFromBook(known) : stop ? customerFromStop(stop.customer) : { id: d.customer, name: `Customer #${d.customer}`, address: null }, order: d.order, stopLabel: stop ? `Stop ${stop.sequence}` : undefined, stop });
      setQty(Object.fromEntries(d.lines.map((l) => [l.cylinder_type, { full: l.delivered_full, empty: l.returned_empty }])));
      setSerials(Object.fromEntries(d.lines.map((l) => [l.cylinder_type, { delivered: l.delivered_serials ?? [], returned: l.returned_serials ?? [] }])));
      setReasons(Object.fromEntries(d.lines.filter((l) => l.reason).map((l) => [l.cylinder_type, l.reason!])));
      if ((['CASH', 'PAYNOW', 'CHEQUE', 'BANK_TRANSFER', 'CREDIT'] as string[]).includes(d.payment_method)) setPayment(d.payment_method as PaymentMethod);
      setOrigin(d.origin);
      // the proof given with the rejected delivery comes back too (its files never left the phone's store)
      if (d.recipient_name || d.proof_files) {
        void attachmentsOf(d.origin.event_id).then((files) => setProof((p) => ({ ...proofFromFiles(d.recipient_name ?? '', files), position: p.position })));
      }
    });
  }, [draft, target, book.data, day.data]);

  // What the phone knows of this customer: phone, coordinates, payment terms (the whole list is cached).
  const record = target ? book.data?.customers.find((c) => c.id === target.customer.id) : undefined;
  const choices = paymentChoices(record?.payment_terms);
  useEffect(() => {
    if (!choices.includes(payment)) setPayment('CASH');
  }, [choices, payment]);
  // the customer's cylinders and deposits before this delivery: the server's answer, else the stop's, else unknown
  const cylindersHeld = useCustomerCylinders(target?.customer.id);
  const holdings = useMemo<Map<number, DepositHolding> | undefined>(() => {
    if (cylindersHeld.data && cylindersHeld.data.customer === target?.customer.id) return new Map(cylindersHeld.data.types.map((t) => [t.cylinder_type, { held: t.held, deposit_units: t.deposit_units }]));
    const fromStop = target?.stop ? stopHoldings(target.stop) : undefined;
    if (fromStop && (target?.stop as { cylinders?: unknown } | undefined)?.cylinders) return new Map(fromStop.cylinders.map((c) => [c.cylinder_type, { held: c.held, deposit_units: c.deposit_units }]));
    return undefined;
  }, [cylindersHeld.data, target]);
  const stopHolding = target?.stop ? stopHoldings(target.stop) : undefined;
  const stopInfo: StopInfo = {
    phone: record?.phone ?? target?.stop?.customer.phone,
    latitude: record?.latitude,
    longitude: record?.longitude,
    address: target?.customer.address,
    cylinders: cylindersHeld.data?.customer === target?.customer.id ? cylindersHeld.data?.types : stopHolding?.cylinders,
    deposit_total: cylindersHeld.data?.customer === target?.customer.id ? cylindersHeld.data?.deposit_total : stopHolding?.deposit_total,
    notes: target?.stop?.notes,
    balance: target?.stop?.customer_balance,
    delivered: target?.stop ? stopDone(target.stop, delivered) : false,
  };

  const typeById = useMemo(() => new Map((types.data ?? []).map((t) => [t.id, t])), [types.data]);
  const lines: DeliveryLine[] = (types.data ?? []).map((t) => ({
    cylinder_type: t.id,
    delivered_full: qty[t.id]?.full ?? 0,
    returned_empty: qty[t.id]?.empty ?? 0,
    delivered_serials: serials[t.id]?.delivered ?? [],
    returned_serials: serials[t.id]?.returned ?? [],
  }));
  const active = lines.filter((l) => l.delivered_full > 0 || l.returned_empty > 0);
  // every serial on this delivery and where it is, so one serial is entered once
  const owners: SerialOwners = new Map();
  for (const t of types.data ?? []) {
    for (const x of serials[t.id]?.delivered ?? []) owners.set(x, `${cylinderLabel(t)} delivered`);
    for (const x of serials[t.id]?.returned ?? []) owners.set(x, `${cylinderLabel(t)} picked up`);
  }
  const serialIssue = (types.data ?? [])
    .map((t) => {
      const q = qty[t.id] ?? { full: 0, empty: 0 };
      const s = serials[t.id] ?? NO_SERIALS;
      const d = serialProblem(s.delivered, q.full, isSerialised(t));
      const r = serialProblem(s.returned, q.empty, isSerialised(t));
      return d ? `${cylinderLabel(t)} delivered: ${d}` : r ? `${cylinderLabel(t)} picked up: ${r}` : undefined;
    })
    .find(Boolean);
  const preview = pricePreview(active, book.data, target?.customer.id, sgDay(now), holdings);
  const totalCents = toCents(preview.total);
  const change = payment === 'CASH' && tendered ? changeDue(totalCents, tendered) : undefined;
  const cashShort = payment === 'CASH' && tendered.trim() !== '' && change === undefined;
  const qrReference = `EVT-${eventId.slice(0, 8)}`;
  const paynow =
    payment === 'PAYNOW' && company.data?.paynow_uen && totalCents > 0
      ? paynowPayload({ uen: company.data.paynow_uen, amount: preview.total, reference: qrReference, merchantName: company.data.name })
      : undefined;
  const disabledReason =
    active.length === 0
      ? 'Enter the cylinders delivered or picked up first.'
      : afterHours && !ackHours
        ? `${target?.customer.kind === 'HOUSEHOLD' ? 'Household stop' : 'Stop'} outside 07:00–21:00: tick the acknowledgement above to continue.`
        : cashShort
          ? 'The cash received is less than the total.'
          : serialIssue;
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
    // the files' SHA-256 go into the signed payload; the bytes wait on the phone for the upload
    const { proof: proofInput, files } = await buildProof(proof);
    if (files.length) await storeAttachments(eventId, files);
    const payload = deliveryPayload({
      customer: target.customer.id,
      vehicle: me.vehicleId,
      order: target.order,
      payment_method: payment,
      lines: active,
      acknowledged_warnings: outOfHours ? [HOUSEHOLD_HOURS_WARNING] : undefined,
      amount_tendered: payment === 'CASH' && tendered.trim() ? tendered : undefined,
      payment_reference: payment === 'PAYNOW' ? paynowRef : undefined,
      proof: proofInput,
    });
    const quote = pricePreview(active, book.data, target.customer.id, sgDay(occurredAt), holdings);
    const event = await recordEvent('delivery.create', payload, {
      driver: me.name,
      vehicle: me.vehicleLabel,
      customer: target.customer.name,
      customer_address: target.customer.address ?? undefined,
      payment_method: PAYMENT_LABELS[payment],
      lines: active.map((l) => {
        const p = quote.lines.find((x) => x.cylinder_type === l.cylinder_type);
        const numbers = [...(l.delivered_full ? l.delivered_serials ?? [] : []), ...(l.returned_empty ? l.returned_serials ?? [] : [])];
        return {
          label: cylinderLabel(typeById.get(l.cylinder_type)),
          detail: `${l.delivered_full} full${p ? ` x ${p.unit}` : ''}, ${l.returned_empty} empty`,
          amount: p?.amount,
          ...(numbers.length ? { serials: numbers } : {}),
        };
      }),
      ...(proofInput?.recipient_name ? { received_by: proofInput.recipient_name } : {}),
      ...(quote.deposits.lines.length
        ? { deposits: quote.deposits.lines.map((d) => ({ label: `Cylinder deposit ${cylinderLabel(typeById.get(d.cylinder_type))}`, detail: `${d.units} x ${d.unit}`, amount: d.amount })) }
        : {}),
      totals: [
        { label: 'Fulls delivered', value: String(quote.delivered_full) },
        { label: 'Empties returned', value: String(quote.returned_empty) },
        { label: 'Subtotal', value: quote.subtotal },
        { label: `GST ${quote.gst_rate}%`, value: quote.gst },
        ...(quote.deposits.lines.length ? [{ label: 'Deposits (no GST)', value: quote.deposits.total }] : []),
        { label: 'TOTAL SGD', value: quote.total },
        ...(change !== undefined ? [{ label: 'Cash received', value: formatCents(toCents(tendered)) }, { label: 'Change', value: formatCents(change) }] : []),
      ],
    }, occurredAt, eventId);
    if (draft) await kvDelete(DELIVERY_DRAFT_KEY);
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
                  data-testid="delivery-stop"
                  data-done={stopDone(s, delivered) || undefined}
                  onClick={() => {
                    setTarget({ customer: customerFromStop(s.customer), order: s.order, stopLabel: `Stop ${s.sequence}`, stop: s });
                    setQty(Object.fromEntries(s.lines.map((l) => [l.cylinder_type, { full: l.quantity, empty: l.quantity }])));
                  }}
                >
                  <span className={`flex h-9 w-9 shrink-0 items-center justify-center rounded-full font-bold ${stopDone(s, delivered) ? 'bg-emerald-200 text-emerald-900' : 'bg-amber-100'}`}>{stopDone(s, delivered) ? '✓' : s.sequence}</span>
                  <span className="flex-1">
                    <span className="block font-semibold">{s.customer.name}</span>
                    {s.customer.address && <span className="block text-sm text-stone-500">{s.customer.address}</span>}
                  </span>
                  {stopDone(s, delivered) && <span className="text-xs font-bold uppercase text-emerald-800">Delivered</span>}
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
          {found?.offline && <Notice tone="warn">Offline: searching the customer list kept on this phone{book.fetchedAt ? ` (from ${new Date(book.fetchedAt).toLocaleDateString('en-SG')})` : ''}.</Notice>}
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
        <StopDetails info={stopInfo} types={typeById} />
        <Button variant="ghost" className="-ml-4" onClick={() => { setTarget(undefined); setQty({}); setSerials({}); setShowSerials({}); setProof(emptyProof()); setReasons({}); setOrigin(undefined); }}>
          Change customer
        </Button>
      </Card>

      {origin && (
        <Notice tone="error" data-testid="draft-origin">
          <strong className="block">Reopened from a rejected delivery (ref {origin.event_id.slice(0, 8)})</strong>
          <span className="block text-sm">{origin.detail}</span>
        </Notice>
      )}
      {(types.data ?? []).map((t) => {
        const q = qty[t.id] ?? { full: 0, empty: 0 };
        const onVan = vehicleFulls.get(t.id);
        const unit = target ? preview.lines.find((l) => l.cylinder_type === t.id) : undefined;
        const price = book.data && target ? effectivePriceLabel(book.data, target.customer.id, t.id, preview.day) : t.list_price != null ? `SGD ${t.list_price}` : '';
        return (
          <Card key={t.id} className="space-y-2" data-testid={`delivery-type-${t.id}`}>
            <div className="flex items-baseline justify-between">
              <h3 className="font-bold">{cylinderLabel(t)}</h3>
              <span className="text-sm text-stone-500" data-testid={`unit-price-${t.id}`}>{price}</span>
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
            {unit && <p className="text-right text-sm tabular-nums">{unit.quantity} x {unit.unit} = <strong>{unit.amount}</strong></p>}
            {(isSerialised(t) || showSerials[t.id] || (serials[t.id]?.delivered.length ?? 0) + (serials[t.id]?.returned.length ?? 0) > 0) ? (
              <div className="space-y-2">
                {(q.full > 0 || (serials[t.id]?.delivered.length ?? 0) > 0) && (
                  <SerialEntry
                    label="Serials delivered"
                    serials={serials[t.id]?.delivered ?? []}
                    quantity={q.full}
                    serialised={isSerialised(t)}
                    owners={owners}
                    onChange={(list) => setSerials((all) => ({ ...all, [t.id]: { ...(all[t.id] ?? NO_SERIALS), delivered: list } }))}
                    testId={`serials-delivered-${t.id}`}
                  />
                )}
                {(q.empty > 0 || (serials[t.id]?.returned.length ?? 0) > 0) && (
                  <SerialEntry
                    label="Serials picked up"
                    serials={serials[t.id]?.returned ?? []}
                    quantity={q.empty}
                    serialised={isSerialised(t)}
                    owners={owners}
                    onChange={(list) => setSerials((all) => ({ ...all, [t.id]: { ...(all[t.id] ?? NO_SERIALS), returned: list } }))}
                    testId={`serials-returned-${t.id}`}
                  />
                )}
              </div>
            ) : (
              (q.full > 0 || q.empty > 0) && (
                <Button variant="ghost" className="-ml-4 min-h-10 text-sm" onClick={() => setShowSerials((m) => ({ ...m, [t.id]: true }))} data-testid={`show-serials-${t.id}`}>
                  Add serial numbers
                </Button>
              )
            )}
            {reasons[t.id] && <p className="text-sm font-semibold text-red-800" data-testid="line-reason">Server: {reasons[t.id]}</p>}
            {onVan !== undefined && q.full > onVan && <Notice tone="warn">More than the {onVan} fulls on record for the vehicle; the server will refuse it.</Notice>}
          </Card>
        );
      })}

      <Card>
        <h2 className="mb-2 font-bold">Payment</h2>
        <div className="grid grid-cols-2 gap-2">
          {choices.map((m) => (
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
        {record && record.payment_terms !== 'CREDIT' && <p className="mt-2 text-xs text-stone-500">Credit is only for customers with credit terms.</p>}
        {payment === 'CASH' && (
          <label className="mt-3 block">
            <span className="mb-1 block text-sm font-semibold">Cash received (SGD)</span>
            <input
              id="cash-tendered"
              inputMode="decimal"
              className="h-12 w-full rounded-xl border border-stone-300 px-3 text-lg tabular-nums"
              placeholder={preview.total}
              value={tendered}
              onChange={(e) => setTendered(e.target.value)}
            />
            {change !== undefined && <span className="mt-1 block text-lg font-bold" data-testid="change-due">Change SGD {formatCents(change)}</span>}
            {cashShort && <span className="mt-1 block font-semibold text-red-800">Less than the total SGD {preview.total}.</span>}
          </label>
        )}
        {payment === 'PAYNOW' && (
          <div className="mt-3 space-y-2 text-center" data-testid="paynow">
            {paynow ? (
              <>
                <div className="mx-auto w-56" data-testid="paynow-qr" data-payload={paynow} dangerouslySetInnerHTML={{ __html: qrSvg(paynow) }} />
                <p className="text-sm">
                  PayNow SGD <strong>{preview.total}</strong> to {company.data?.name} (UEN {company.data?.paynow_uen}), ref {qrReference}
                </p>
              </>
            ) : (
              <p className="text-sm text-stone-600">{company.data ? 'The QR appears once there is an amount.' : 'Connect once to load the company PayNow details.'}</p>
            )}
            <input id="paynow-ref" className="h-12 w-full rounded-xl border border-stone-300 px-3" placeholder="PayNow reference (optional)" value={paynowRef} onChange={(e) => setPaynowRef(e.target.value)} />
          </div>
        )}
      </Card>

      <ProofForm value={proof} onChange={setProof} />

      {afterHours && <HouseholdHoursWarning acknowledged={ackHours} onAcknowledge={setAckHours} testId="household-hours-warning" />}

      <div className="sticky bottom-20 z-30 flex items-center gap-3 rounded-2xl border border-amber-300 bg-amber-50 p-3 shadow-lg" data-testid="delivery-preview" data-deposits-known={preview.deposits.known || undefined}>
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
            incl. GST {preview.gst_rate}% {preview.gst}
            {preview.deposits.lines.length > 0 && (
              <span className="block" data-testid="preview-deposit">
                + deposit {preview.deposits.total} (no GST){preview.deposits.known ? '' : ', estimated'}
              </span>
            )}
          </dd>
          {preview.missing.length > 0 && <dd className="text-xs font-semibold text-red-800">No price on the phone for some types: connect to refresh.</dd>}
        </dl>
        <div className="flex max-w-[45%] flex-col items-end gap-1">
          <Button className="min-h-14 px-5 text-lg" disabled={!!disabledReason} onClick={() => setConfirming(true)}>
            Review
          </Button>
          {disabledReason && (
            <span className="text-right text-xs font-semibold leading-tight text-red-800" data-testid="review-disabled-reason">
              {disabledReason}
            </span>
          )}
        </div>
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
            { label: 'Subtotal', value: preview.subtotal },
            { label: `GST ${preview.gst_rate}%`, value: preview.gst },
            ...(preview.deposits.lines.length ? [{ label: 'Cylinder deposits (no GST)', value: preview.deposits.total }] : []),
            { label: 'Total SGD', value: preview.total },
            ...(change !== undefined ? [{ label: 'Change', value: formatCents(change) }] : []),
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
                  {(l.delivered_serials?.length ?? 0) + (l.returned_serials?.length ?? 0) > 0 && ` · ${(l.delivered_serials?.length ?? 0) + (l.returned_serials?.length ?? 0)} serials`}
                  {preview.lines.find((x) => x.cylinder_type === l.cylinder_type) && ` · ${preview.lines.find((x) => x.cylinder_type === l.cylinder_type)!.amount}`}
                </span>
              </li>
            ))}
          </ul>
          {(proof.recipient.trim() || proof.signature || proof.photos.length > 0) && (
            <p className="mt-2 text-sm" data-testid="confirm-proof">
              {proof.recipient.trim() ? `Received by ${proof.recipient.trim()}` : 'No recipient name'}
              {proof.signature ? ' · signed' : ''}
              {proof.photos.length ? ` · ${proof.photos.length} photo${proof.photos.length === 1 ? '' : 's'}` : ''}
            </p>
          )}
          <p className="mt-2 text-xs text-stone-500">The customer's prices and GST as the server invoices them{book.stale ? ' (price list from this phone)' : ''}; the tax invoice number comes once the server has it.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

function effectivePriceLabel(book: import('../../master-data/api/get-customer-prices').PriceBook, customer: number, type: number, day: string): string {
  const p = effectivePrice(book, customer, type, day);
  return p ? `SGD ${p.price}${p.contract ? ' (contract)' : ''}` : 'no price';
}
