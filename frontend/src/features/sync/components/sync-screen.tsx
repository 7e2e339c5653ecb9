import { useState } from 'react';
import { useOnline } from '../../../app/use-online';
import { Button } from '../../../components/ui/button';
import { Card, Notice } from '../../../components/ui/card';
import { dismissRejected, requeueRejected } from '../../../offline/outbox';
import { reopenAsDraft } from '../../../offline/drafts';
import { navigate } from '../../../app/router';
import { syncNow } from '../../../offline/sync-service';
import { PrintActions } from '../../printer/components/print-actions';
import { ago, rejectionAdvice, useOutbox, usePendingUploads, useSyncStatus, useTick } from '../hooks';
import { DocNumber, EventBadge, eventTitle } from './event-status';

export function SyncScreen() {
  const events = useOutbox();
  const status = useSyncStatus();
  const online = useOnline();
  useTick();
  const uploads = usePendingUploads();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();
  const queued = events.filter((e) => e.status === 'queued').sort((a, b) => a.seq! - b.seq!);
  const rejected = events.filter((e) => e.status === 'rejected');
  const history = events.filter((e) => e.status === 'applied' || e.status === 'duplicate' || e.status === 'dismissed').slice(0, 50);

  return (
    <>
      <Card className="space-y-3">
        <p>
          Last successful sync: <strong data-testid="last-sync">{status?.lastSuccess ? ago(status.lastSuccess) : 'never'}</strong>
        </p>
        {status?.lastReport?.stopped && <p className="text-sm text-amber-800">Last attempt {ago(status.lastReport.at)}: {status.lastReport.message}</p>}
        <Button
          className="min-h-14 w-full text-lg"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setMessage(undefined);
            try {
              const r = await syncNow();
              setMessage(r.stopped ? r.message : r.sent === 0 ? 'Nothing to send.' : `Sent ${r.sent}: ${r.applied} recorded, ${r.rejected} rejected.`);
            } catch (e) {
              setMessage((e as Error).message);
            } finally {
              setBusy(false);
            }
          }}
        >
          {busy ? 'Sending…' : 'Sync now'}
        </Button>
        {!online && <p className="text-sm text-stone-600">You are offline; events are sent when the network is back.</p>}
        <p className="text-sm" data-testid="pending-uploads-count" data-count={uploads}>
          {uploads > 0 ? (
            <strong className="text-amber-800">
              {uploads} signature/photo file{uploads === 1 ? '' : 's'} waiting to upload
            </strong>
          ) : (
            'All signatures and photos uploaded.'
          )}
        </p>
        {message && <Notice tone="info">{message}</Notice>}
      </Card>

      <Card>
        <h2 className="mb-2 text-lg font-bold">Rejected ({rejected.length})</h2>
        {rejected.length === 0 && <p className="text-stone-600">None.</p>}
        <ul className="space-y-3" data-testid="rejected-list">
          {rejected.map((e) => (
            <li key={e.id} className="rounded-xl border border-red-300 bg-red-50 p-3" data-testid="rejected-event">
              <div className="flex justify-between gap-2">
                <a href={`#/event/${e.id}`} className="font-semibold underline">
                  {eventTitle(e)}
                </a>
                <EventBadge e={e} />
              </div>
              <p className="text-sm text-stone-600">Recorded {ago(e.created_at)} · ref {e.id.slice(0, 8)}</p>
              <p className="mt-1 font-semibold text-red-900" data-testid="reject-reason">
                {e.detail} <span className="font-mono text-xs">({e.code})</span>
              </p>
              <p className="mt-1 text-sm">{rejectionAdvice(e.code)}</p>
              <RejectedActions seq={e.seq!} onReopen={() => void reopenAsDraft(e).then(navigate)} online={online} />
            </li>
          ))}
        </ul>
      </Card>

      <Card>
        <h2 className="mb-2 text-lg font-bold">Queued ({queued.length})</h2>
        {queued.length === 0 && <p className="text-stone-600">Nothing waiting.</p>}
        <ol className="space-y-2" data-testid="queued-list">
          {queued.map((e) => (
            <li key={e.id} className="rounded-xl border border-amber-300 bg-amber-50 p-3" data-testid="queued-event">
              <div className="flex justify-between gap-2">
                <a href={`#/event/${e.id}`} className="font-semibold underline">
                  {eventTitle(e)}
                </a>
                <EventBadge e={e} />
              </div>
              <p className="text-sm">
                Waiting {ago(e.created_at)} · {e.attempts} {e.attempts === 1 ? 'try' : 'tries'}
              </p>
              <p className="text-sm">
                <DocNumber e={e} />
              </p>
              {e.last_error && <p className="text-sm text-amber-900">{e.last_error}</p>}
            </li>
          ))}
        </ol>
      </Card>

      <Card>
        <h2 className="mb-2 text-lg font-bold">History</h2>
        {history.length === 0 && <p className="text-stone-600">Nothing sent yet.</p>}
        <ul className="space-y-3" data-testid="history-list">
          {history.map((e) => (
            <li key={e.id} className="rounded-xl border border-stone-200 p-3" data-testid="history-event">
              <div className="flex justify-between gap-2">
                <a href={`#/event/${e.id}`} className="font-semibold underline">
                  {eventTitle(e)}
                </a>
                <EventBadge e={e} />
              </div>
              {e.status === 'dismissed' ? (
                <p className="text-sm text-stone-600" data-testid="dismissed-note">
                  {e.reopened_at ? 'Reopened as a draft' : 'Dismissed'} {ago(e.dismissed_at ?? e.created_at)} · refused: {e.detail}
                </p>
              ) : (
                <>
                  <p className="text-sm">
                    <DocNumber e={e} /> · {ago(e.synced_at ?? e.created_at)}
                  </p>
                  <div className="mt-2">
                    <PrintActions event={e} compact />
                  </div>
                </>
              )}
            </li>
          ))}
        </ul>
      </Card>
    </>
  );
}

/** What the driver can do with a rejected event: reopen it as an editable draft, send it again as it is, or set it aside. */
export function RejectedActions({ seq, onReopen, online }: { seq: number; onReopen: () => void; online: boolean }) {
  return (
    <div className="mt-2 grid gap-2">
      <Button className="w-full" onClick={onReopen}>
        Reopen as draft
      </Button>
      <div className="grid grid-cols-2 gap-2">
        <Button variant="secondary" onClick={() => void requeueRejected(seq).then(() => (online ? syncNow() : undefined))}>
          Send again unchanged
        </Button>
        <Button
          variant="secondary"
          onClick={() => {
            if (window.confirm('Dismiss this rejected entry? Nothing was recorded on the server; it stays in History.')) void dismissRejected(seq);
          }}
        >
          Dismiss
        </Button>
      </div>
    </div>
  );
}
