import type { OutboxEvent } from '../../../lib/db';
import { documentNumber } from '../../printer/receipt-doc';

export function statusText(e: OutboxEvent): string {
  switch (e.status) {
    case 'queued':
      return 'Queued on this phone';
    case 'applied':
      return 'Recorded by the server';
    case 'duplicate':
      return 'Already recorded by the server';
    case 'rejected':
      return 'Rejected by the server';
    case 'dismissed':
      return e.reopened_at ? 'Rejected; reopened as a draft' : 'Rejected; dismissed';
  }
}

export function EventBadge({ e }: { e: OutboxEvent }) {
  const cls = {
    queued: 'bg-amber-100 text-amber-900',
    applied: 'bg-emerald-100 text-emerald-900',
    duplicate: 'bg-emerald-100 text-emerald-900',
    rejected: 'bg-red-100 text-red-900',
    dismissed: 'bg-stone-200 text-stone-700',
  }[e.status];
  return (
    <span className={`shrink-0 self-start rounded-full px-2 py-0.5 text-xs font-bold uppercase ${cls}`} data-testid="event-status">
      {e.status}
    </span>
  );
}

export function eventTitle(e: OutboxEvent): string {
  const kind = e.type === 'delivery.create' ? `Delivery${e.summary.customer ? ` · ${e.summary.customer}` : ''}` : 'Distribution';
  return kind;
}

export function DocNumber({ e }: { e: OutboxEvent }) {
  const n = documentNumber(e);
  if (n && (e.status === 'applied' || e.status === 'duplicate')) {
    return (
      <span className="font-mono font-bold" data-testid="doc-number">
        {n}
      </span>
    );
  }
  return (
    <span className="font-mono text-sm" data-testid="provisional-ref">
      PROVISIONAL · ref {e.id.slice(0, 8)}
    </span>
  );
}
