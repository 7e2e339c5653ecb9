import { Card, Notice } from '../../../components/ui/card';
import { ago, rejectionAdvice, useEventAttachments, useOutboxEvent } from '../hooks';
import { uploadPendingAttachments } from '../../../offline/attachments';
import { Button } from '../../../components/ui/button';
import { PrintActions } from '../../printer/components/print-actions';
import { DocNumber, EventBadge, eventTitle, statusText } from './event-status';
import { receiptFromEvent } from '../../printer/receipt-doc';
import { loadInvoiceDetail } from '../../printer/invoice-detail';
import { useEffect } from 'react';
import { useOnline } from '../../../app/use-online';
import { navigate } from '../../../app/router';
import { reopenAsDraft } from '../../../offline/drafts';
import { RejectedActions } from './sync-screen';
import { useLiveQuery } from 'dexie-react-hooks';
import { db, type OutboxEvent } from '../../../lib/db';
import { useSession } from '../../../app/session';
import { useMyDay } from '../../my-day/api/get-my-day';
import { deliveredOrders, nextOpenStop } from '../../my-day/api/stop-progress';

export function EventScreen({ id }: { id: string }) {
  const e = useOutboxEvent(id);
  const online = useOnline();
  const applied = e?.status === 'applied' || e?.status === 'duplicate';
  useEffect(() => {
    if (e && applied && !e.invoice && online) void loadInvoiceDetail(e);
  }, [e, applied, online]);
  if (e === undefined) return <p>Loading…</p>;
  // once applied, the server's invoice lines and figures replace the quote
  const summary = receiptFromEvent(e, undefined).context;
  return (
    <>
      <Card className="space-y-2" data-testid="event-card">
        <div className="flex items-center justify-between gap-2">
          <h2 className="text-lg font-bold">{eventTitle(e)}</h2>
          <EventBadge e={e} />
        </div>
        <p className="text-lg">{statusText(e)}</p>
        <p>
          <DocNumber e={e} />
        </p>
        <p className="break-all text-xs text-stone-500">Reference {e.id}</p>
        <p className="text-sm text-stone-500">Recorded {ago(e.created_at)}</p>
        {e.status === 'queued' && (
          <Notice tone="warn">
            Saved on this phone and signed. It is sent automatically when the network is back{e.last_error ? ` (last try: ${e.last_error})` : ''}.
          </Notice>
        )}
        {e.status === 'rejected' && (
          <Notice tone="error">
            <strong data-testid="reject-reason">{e.detail}</strong>
            <span className="block">{rejectionAdvice(e.code)}</span>
          </Notice>
        )}
        {e.status === 'rejected' && <RejectedActions seq={e.seq!} online={online} onReopen={() => void reopenAsDraft(e).then(navigate)} />}
      </Card>
      <Card>
        <h3 className="mb-2 font-bold">Summary</h3>
        <ul className="divide-y divide-stone-100 text-sm">
          {summary.lines.map((l, i) => (
            <li key={i} className="flex flex-wrap justify-between gap-2 py-1">
              <span>
                <span className="block font-semibold">{l.label}</span>
                <span className="block text-stone-600">{l.detail}</span>
              </span>
              {l.amount && <span className="tabular-nums">{l.amount}</span>}
              {l.serials?.length ? <span className="basis-full font-mono text-xs text-stone-600" data-testid="summary-serials">S/N {l.serials.join(', ')}</span> : null}
            </li>
          ))}
        </ul>
        {summary.deposits && (
          <div className="mt-2 border-t border-stone-200 pt-2 text-sm" data-testid="summary-deposits">
            <p className="font-semibold">Cylinder deposits (not subject to GST)</p>
            <ul>
              {summary.deposits.map((d, i) => (
                <li key={i} className="flex justify-between gap-2">
                  <span>
                    {d.label} <span className="text-stone-600">{d.detail}</span>
                  </span>
                  {d.amount && <span className="tabular-nums">{d.amount}</span>}
                </li>
              ))}
            </ul>
          </div>
        )}
        <dl className="mt-2 grid grid-cols-[1fr_auto] border-t border-stone-200 pt-2 text-sm">
          {summary.totals.map((t) => (
            <div key={t.label} className="contents">
              <dt>{t.label}</dt>
              <dd className="text-right font-bold tabular-nums">{t.value}</dd>
            </div>
          ))}
        </dl>
      </Card>
      {summary.deposit_refund && (
        <Notice tone="info" data-testid="deposit-refund">
          Cylinder deposit refunded: credit note <strong>{summary.deposit_refund.number}</strong>, SGD {summary.deposit_refund.total} (no GST).
        </Notice>
      )}
      {summary.received_by && (
        <p className="text-sm" data-testid="received-by">
          Received by <strong>{summary.received_by}</strong>
        </p>
      )}
      {e.type === 'delivery.create' && <ProofUploads eventId={e.id} applied={applied} dismissed={e.status === 'dismissed'} online={online} />}
      {e.type === 'delivery.create' && e.status !== 'rejected' && e.status !== 'dismissed' && <NextStop event={e} />}
      <PrintActions event={e} />
      <a href="#/" className="block rounded-xl border border-stone-300 bg-white p-3 text-center font-semibold">
        Back to my day
      </a>
    </>
  );
}

/** After a delivery: straight on to the next open stop of the day. */
function NextStop({ event }: { event: OutboxEvent }) {
  const { me } = useSession();
  const day = useMyDay(me);
  const events = useLiveQuery(() => db.outbox.where('type').equals('delivery.create').toArray()) ?? [];
  const stops = day.data?.stops ?? [];
  const order = event.type === 'delivery.create' ? event.payload.order : undefined;
  const current = stops.find((s) => s.order === order);
  const next = nextOpenStop(stops, deliveredOrders(events), current?.sequence);
  if (!stops.length) return null;
  if (!next) return <Notice tone="ok">All of today's stops are done.</Notice>;
  return (
    <a href={`#/delivery?stop=${next.id}`} className="block rounded-2xl bg-amber-700 p-4 text-center text-lg font-bold text-white" data-testid="next-stop">
      Next stop {next.sequence}: {next.customer.name}
    </a>
  );
}

/** The delivery's signature and photos: uploaded, or waiting on the phone (retried until the server has them). */
function ProofUploads({ eventId, applied, dismissed, online }: { eventId: string; applied: boolean; dismissed: boolean; online: boolean }) {
  const files = useEventAttachments(eventId);
  if (!files.length) return null;
  const pending = files.filter((f) => f.status === 'pending');
  return (
    <Card className="space-y-2" data-testid="proof-uploads" data-pending={pending.length}>
      <h3 className="font-bold">Signature and photos</h3>
      <ul className="text-sm">
        {files.map((f) => (
          <li key={f.key} className="flex justify-between gap-2" data-testid="proof-file" data-status={f.status}>
            <span>
              {f.kind === 'SIGNATURE' ? 'Signature' : 'Photo'} · {Math.ceil(f.size / 1024)} KB
            </span>
            <span className={f.status === 'uploaded' ? 'font-semibold text-emerald-800' : 'font-semibold text-amber-800'}>{f.status === 'uploaded' ? 'Uploaded' : 'Waiting'}</span>
          </li>
        ))}
      </ul>
      {pending.length > 0 && dismissed && <p className="text-sm text-stone-600">Not sent: this delivery was not recorded. The files stay on this phone.</p>}
      {pending.length > 0 && !dismissed && (
        <Notice tone="warn" data-testid="pending-uploads">
          {pending.length} file{pending.length === 1 ? '' : 's'} not uploaded yet: kept on this phone and sent {applied ? 'automatically' : 'once the delivery is on the server'}.
          {pending.find((f) => f.last_error) && <span className="block">Last try: {pending.find((f) => f.last_error)?.last_error}</span>}
        </Notice>
      )}
      {pending.length > 0 && applied && online && (
        <Button variant="secondary" className="w-full" onClick={() => void uploadPendingAttachments().catch(() => undefined)}>
          Upload now
        </Button>
      )}
    </Card>
  );
}
