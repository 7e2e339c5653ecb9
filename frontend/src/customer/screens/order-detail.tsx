import { useState } from 'react';
import { Button } from '../../components/ui/button';
import { Card, Notice } from '../../components/ui/card';
import { downloadPdf } from '../api/account';
import { cancelOrder, getOrder, mayCancel, payAtDoorReason } from '../api/orders';
import { linesText, windowText } from '../components/order-card';
import { Loading, Page } from '../components/page';
import { ProblemNotice } from '../components/problem';
import { trackingSentence, TrackingSteps } from '../components/tracking';
import { day, time } from '../format';
import { hrefOf } from '../router';
import { useSession } from '../session';
import { useLoad } from '../use-load';

export default function OrderDetailScreen({ id, placed }: { id: number; placed: boolean }) {
  const { profile } = useSession();
  const order = useLoad(() => getOrder(id), [id], { refreshOnReturn: true });
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const o = order.data;

  async function cancel() {
    setBusy(true);
    setError(undefined);
    try {
      await cancelOrder(id, reason.trim());
      setAsking(false);
      order.reload();
    } catch (e) {
      setError(e);
      order.reload(); // planned meanwhile: show where it is now
    } finally {
      setBusy(false);
    }
  }

  async function invoicePdf(invoiceId: number, number: string) {
    setError(undefined);
    try {
      await downloadPdf(`/api/customer/invoices/${invoiceId}/pdf/`, `${number}.pdf`);
    } catch (e) {
      setError(e);
    }
  }

  return (
    <Page title={`Order #${id}`} testid="order-detail">
      {placed && <Notice tone="ok">Thank you: your order is received.</Notice>}
      {order.error ? <ProblemNotice error={order.error} /> : null}
      {!o && !order.error && <Loading />}
      {o && (
        <>
          {o.payment_at_door && (
            <Notice tone="warn" data-testid="payment-at-door">
              Payment at the door: {payAtDoorReason(o)}
            </Notice>
          )}
          <Card className="space-y-3" data-testid="order" data-state={o.tracking.state}>
            <TrackingSteps order={o} />
            <p className="font-semibold" data-testid="tracking-sentence">
              {trackingSentence(o)}
            </p>
            <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
              <dt className="font-semibold">Day</dt>
              <dd>{day(o.scheduled_for)}</dd>
              <dt className="font-semibold">Window</dt>
              <dd>{windowText(o)}</dd>
              {o.tracking.eta && (
                <>
                  <dt className="font-semibold">Planned arrival</dt>
                  <dd>{time(o.tracking.eta)}</dd>
                </>
              )}
              <dt className="font-semibold">Cylinders</dt>
              <dd>{linesText(o, profile?.cylinder_types)}</dd>
              {o.notes && (
                <>
                  <dt className="font-semibold">Notes</dt>
                  <dd className="break-words whitespace-pre-line">{o.notes}</dd>
                </>
              )}
            </dl>
            {o.tracking.invoice && o.tracking.invoice_number && (
              <Button variant="secondary" className="w-full" data-testid="order-invoice-pdf" onClick={() => void invoicePdf(o.tracking.invoice!, o.tracking.invoice_number!)}>
                Tax invoice {o.tracking.invoice_number} (PDF)
              </Button>
            )}
          </Card>
          <ProblemNotice error={error} />
          {mayCancel(o) && !asking && (
            <Button variant="secondary" className="w-full" onClick={() => setAsking(true)}>
              Cancel this order
            </Button>
          )}
          {mayCancel(o) && asking && (
            <Card className="space-y-3">
              <label htmlFor="cancel-reason" className="block font-semibold">
                Why? <span className="font-normal text-stone-700">(optional)</span>
              </label>
              <input id="cancel-reason" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} className="h-12 w-full rounded-xl border border-stone-400 bg-white px-3" />
              <div className="grid grid-cols-2 gap-3">
                <Button variant="secondary" onClick={() => setAsking(false)} disabled={busy}>
                  Keep it
                </Button>
                <Button variant="danger" onClick={() => void cancel()} disabled={busy}>
                  {busy ? 'Cancelling…' : 'Cancel order'}
                </Button>
              </div>
            </Card>
          )}
          {!mayCancel(o) && o.status !== 'CANCELLED' && o.status !== 'DELIVERED' && <p className="text-sm text-stone-700">Planned on a truck: to change or cancel it, call the office.</p>}
        </>
      )}
      <a href={hrefOf({ name: 'home' })} className="inline-flex min-h-11 items-center font-semibold text-amber-800 underline">
        Back to home
      </a>
    </Page>
  );
}
