import { useEffect, useMemo, useState } from 'react';
import { Button } from '../../components/ui/button';
import { Card, Notice } from '../../components/ui/card';
import { ConfirmDialog } from '../../components/ui/confirm-dialog';
import { QuantityStepper } from '../../components/ui/quantity-stepper';
import { getAccount } from '../api/account';
import { getQuote, placeOrder } from '../api/orders';
import type { OrderInput, Quote } from '../api/types';
import { Page } from '../components/page';
import { ProblemNotice } from '../components/problem';
import { problemText } from '../errors';
import { day as dayText, hhmm, sgd } from '../format';
import { addDays, DAYS_AHEAD, dayProblem, HOUSEHOLD_FROM, HOUSEHOLD_UNTIL, linesProblem, MAX_QUANTITY, orderLines, gasWithGst, singaporeDate, windowProblem, WINDOWS, withGst } from '../order-rules';
import { hrefOf, navigate } from '../router';
import { useSession } from '../session';
import { SubmitOnce } from '../submit-once';
import { useLoad } from '../use-load';

export default function OrderScreen() {
  const { profile } = useSession();
  const types = useMemo(() => profile?.cylinder_types ?? [], [profile]);
  const customer = profile?.customer;
  const kind = customer?.kind ?? 'HOUSEHOLD';
  const now = new Date();
  const today = singaporeDate(now);
  const [quantities, setQuantities] = useState<Record<number, number>>({});
  const [scheduledFor, setScheduledFor] = useState(today);
  const [windowId, setWindowId] = useState('any');
  const [notes, setNotes] = useState('');
  const [quote, setQuote] = useState<Quote>();
  const [quoteError, setQuoteError] = useState<unknown>();
  const [confirming, setConfirming] = useState<SubmitOnce<unknown>>();
  const account = useLoad(getAccount);

  const lines = orderLines(quantities, types.map((t) => t.id));
  const window = WINDOWS.find((w) => w.id === windowId) ?? WINDOWS[0];
  const problems = [linesProblem(lines), dayProblem(scheduledFor, now), windowProblem({ kind, day: scheduledFor, start: window.start, end: window.end, now })].filter(Boolean) as string[];
  const linesKey = JSON.stringify(lines);
  const overdue = account.data?.open_invoices.filter((i) => i.days_past_due > 30).sort((a, b) => b.days_past_due - a.days_past_due)[0];

  // The server's price for what is chosen (its contract or list price that day, GST, the deposit).
  useEffect(() => {
    setQuote(undefined);
    setQuoteError(undefined);
    if (!lines.length || dayProblem(scheduledFor, new Date())) return;
    let live = true;
    const timer = setTimeout(() => {
      getQuote({ lines, scheduled_for: scheduledFor }).then(
        (q) => live && setQuote(q),
        (e: unknown) => live && setQuoteError(e),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [linesKey, scheduledFor]);

  if (!profile) return null;
  if (!types.length) {
    return (
      <Page title="Order gas" testid="order">
        <Notice tone="info">Your first refill is ordered through the office: call us and we set up the cylinders you use. After that you can order here.</Notice>
      </Page>
    );
  }

  const body: OrderInput = { lines, scheduled_for: scheduledFor, window_start: window.start, window_end: window.end, notes: notes.trim() };

  return (
    <Page title="Order gas" testid="order">
      {overdue && (
        <Notice tone="warn" data-testid="overdue-warning">
          Invoice {overdue.number} is {overdue.days_past_due} days overdue ({sgd(overdue.outstanding)}). You can still order; on credit hold the driver collects payment at the door.
        </Notice>
      )}
      <Card className="space-y-3">
        <h2 className="text-lg font-bold">Cylinders</h2>
        {types.map((t) => {
          const line = quote?.lines.find((l) => l.cylinder_type === t.id);
          return (
            <div key={t.id} data-testid={`order-type-${t.id}`} className="space-y-1 border-b border-stone-200 pb-3 last:border-0">
              <p className="font-semibold">{t.name}</p>
              <QuantityStepper label={`Quantity of ${t.name}`} value={quantities[t.id] ?? 0} onChange={(n) => setQuantities((q) => ({ ...q, [t.id]: Math.min(MAX_QUANTITY, n) }))} />
              {line && quote && (
                <p className="text-sm text-stone-800" data-testid={`quote-line-${t.id}`}>
                  {sgd(withGst(line.unit_price, quote.gst_rate))} each incl. GST
                  {line.deposit_units > 0 ? ` · deposit for ${line.deposit_units}: ${sgd(line.deposit_amount)}` : ' · no deposit'}
                </p>
              )}
            </div>
          );
        })}
      </Card>

      <Card className="space-y-3">
        <h2 className="text-lg font-bold">When</h2>
        <div>
          <label htmlFor="order-day" className="mb-1 block font-semibold">
            Day
          </label>
          <input id="order-day" type="date" min={today} max={addDays(today, DAYS_AHEAD)} value={scheduledFor} onChange={(e) => setScheduledFor(e.target.value)} className="h-12 w-full rounded-xl border border-stone-400 bg-white px-3 text-lg" />
        </div>
        <fieldset>
          <legend className="mb-1 font-semibold">Window</legend>
          <div className="grid grid-cols-2 gap-2">
            {WINDOWS.map((w) => {
              const why = windowProblem({ kind, day: scheduledFor, start: w.start, end: w.end, now });
              return (
                <label key={w.id} className={`flex min-h-12 items-center gap-2 rounded-xl border px-3 ${windowId === w.id ? 'border-amber-700 bg-amber-50' : 'border-stone-300 bg-white'} ${why ? 'text-stone-600' : ''}`}>
                  <input type="radio" name="window" value={w.id} checked={windowId === w.id} disabled={!!why && windowId !== w.id} onChange={() => setWindowId(w.id)} className="h-5 w-5" />
                  <span>{w.label}</span>
                </label>
              );
            })}
          </div>
          <p className="mt-2 text-sm text-stone-700" data-testid="window-rule">
            {kind === 'HOUSEHOLD'
              ? `Households receive deliveries between ${HOUSEHOLD_FROM} and ${HOUSEHOLD_UNTIL}.`
              : customer?.receiving_from && customer?.receiving_until
                ? `You receive deliveries ${hhmm(customer.receiving_from)}–${hhmm(customer.receiving_until)}.`
                : 'Choose any window; dispatch plans the route.'}{' '}
            A window already over today cannot be chosen.
          </p>
        </fieldset>
        <div>
          <label htmlFor="order-notes" className="mb-1 block font-semibold">
            Notes for the driver <span className="font-normal text-stone-700">(optional)</span>
          </label>
          <textarea id="order-notes" maxLength={500} rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} placeholder="Gate code, where to leave the cylinders…" className="w-full rounded-xl border border-stone-400 bg-white p-3 text-base" />
        </div>
      </Card>

      <ProblemNotice error={quoteError} testid="quote-problem" />
      {quote && (
        <Card data-testid="quote" className="space-y-1">
          <h2 className="text-lg font-bold">Price</h2>
          <QuoteTotals quote={quote} />
        </Card>
      )}
      {problems.length > 0 && (
        <ul className="list-disc pl-5 text-sm text-stone-800" data-testid="order-problems" aria-live="polite">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div className="flex gap-3">
        <a href={hrefOf({ name: 'home' })} className="flex min-h-14 flex-1 items-center justify-center rounded-xl border border-stone-300 bg-white font-semibold">
          Back
        </a>
        <Button className="min-h-14 flex-[2]" disabled={problems.length > 0 || !quote} onClick={() => setConfirming(new SubmitOnce())}>
          Review order
        </Button>
      </div>

      {confirming && quote && (
        <ConfirmDialog
          title="Confirm your order"
          confirmLabel="Place order"
          totals={[
            { label: 'Gas incl. GST', value: sgd(gasWithGst(quote)) },
            { label: 'Deposits (no GST)', value: sgd(quote.deposit_total) },
            { label: 'Total', value: sgd(quote.total) },
          ]}
          onBack={() => setConfirming(undefined)}
          onConfirm={async () => {
            try {
              const order = (await confirming.run((key) => placeOrder(body, key))) as { id: number };
              navigate({ name: 'order-detail', id: order.id, placed: true });
            } catch (e) {
              throw new Error(problemText(e));
            }
          }}
        >
          <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1" data-testid="confirm-summary">
            <dt className="font-semibold">Day</dt>
            <dd>{dayText(scheduledFor)}</dd>
            <dt className="font-semibold">Window</dt>
            <dd>{window.label}</dd>
            {lines.map((l) => {
              const q = quote.lines.find((x) => x.cylinder_type === l.cylinder_type);
              return (
                <div key={l.cylinder_type} className="contents">
                  <dt className="font-semibold">{l.quantity} ×</dt>
                  <dd>
                    {q?.name} {q ? `(${sgd(withGst(q.unit_price, quote.gst_rate))} each incl. GST)` : ''}
                  </dd>
                </div>
              );
            })}
            {notes.trim() && (
              <>
                <dt className="font-semibold">Notes</dt>
                <dd className="break-words">{notes.trim()}</dd>
              </>
            )}
          </dl>
          {overdue && <p className="mt-2 text-sm text-amber-900">An overdue invoice may put this order on payment at the door.</p>}
        </ConfirmDialog>
      )}
    </Page>
  );
}

function QuoteTotals({ quote }: { quote: Quote }) {
  return (
    <dl className="grid grid-cols-[1fr_auto] gap-x-4 gap-y-1 tabular-nums">
      <dt>Gas before GST</dt>
      <dd className="text-right">{sgd(quote.subtotal)}</dd>
      <dt>GST {quote.gst_rate}%</dt>
      <dd className="text-right">{sgd(quote.gst_amount)}</dd>
      <dt>Deposits (no GST)</dt>
      <dd className="text-right" data-testid="quote-deposit">
        {sgd(quote.deposit_total)}
      </dd>
      <dt className="font-bold">Total</dt>
      <dd className="text-right font-bold" data-testid="quote-total">
        {sgd(quote.total)}
      </dd>
    </dl>
  );
}
