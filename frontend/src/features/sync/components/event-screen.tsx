import { Card, Notice } from '../../../components/ui/card';
import { ago, rejectionAdvice, useOutboxEvent } from '../hooks';
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
            <li key={i} className="flex justify-between gap-2 py-1">
              <span>
                <span className="block font-semibold">{l.label}</span>
                <span className="block text-stone-600">{l.detail}</span>
              </span>
              {l.amount && <span className="tabular-nums">{l.amount}</span>}
            </li>
          ))}
        </ul>
        <dl className="mt-2 grid grid-cols-[1fr_auto] border-t border-stone-200 pt-2 text-sm">
          {summary.totals.map((t) => (
            <div key={t.label} className="contents">
              <dt>{t.label}</dt>
              <dd className="text-right font-bold tabular-nums">{t.value}</dd>
            </div>
          ))}
        </dl>
      </Card>
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
