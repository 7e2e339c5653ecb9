import { Card, Notice } from '../../../components/ui/card';
import { ago, rejectionAdvice, useOutboxEvent } from '../hooks';
import { PrintActions } from '../../printer/components/print-actions';
import { DocNumber, EventBadge, eventTitle, statusText } from './event-status';
import { receiptFromEvent } from '../../printer/receipt-doc';
import { company } from '../../printer/print-event';

export function EventScreen({ id }: { id: string }) {
  const e = useOutboxEvent(id);
  if (e === undefined) return <p>Loading…</p>;
  // once applied, the server's invoice figures replace the estimate
  const summary = receiptFromEvent(e, company()).context;
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
      <PrintActions event={e} />
      <a href="#/" className="block rounded-xl border border-stone-300 bg-white p-3 text-center font-semibold">
        Back to my day
      </a>
    </>
  );
}
