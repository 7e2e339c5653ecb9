import type { CustomerOrder, TrackingState } from '../api/types';
import { time } from '../format';

const STEPS: { state: TrackingState; label: string }[] = [
  { state: 'received', label: 'Received' },
  { state: 'planned', label: 'Planned' },
  { state: 'on_the_way', label: 'On the way' },
  { state: 'delivered', label: 'Delivered' },
];

export const TRACKING_LABELS: Record<TrackingState, string> = {
  received: 'Received',
  planned: 'Planned',
  on_the_way: 'On the way',
  delivered: 'Delivered',
  partly_delivered: 'Partly delivered',
  cancelled: 'Cancelled',
};

/** The step reached: partly delivered sits on the last step. */
function stepIndex(state: TrackingState): number {
  if (state === 'partly_delivered') return 3;
  return STEPS.findIndex((s) => s.state === state);
}

/** One line saying where the order is, in words. */
export function trackingSentence(order: CustomerOrder): string {
  const t = order.tracking;
  switch (t.state) {
    case 'received':
      return 'We have your order; it is not planned on a truck yet.';
    case 'planned':
      return t.window_start && t.window_end ? `Planned: arriving between ${time(t.window_start)} and ${time(t.window_end)}.` : 'Planned on a truck; the arrival time follows.';
    case 'on_the_way':
      return t.window_start && t.window_end ? `On the way: arriving between ${time(t.window_start)} and ${time(t.window_end)}.` : 'The truck is on its way.';
    case 'delivered':
      return t.invoice_number ? `Delivered. Tax invoice ${t.invoice_number}.` : 'Delivered.';
    case 'partly_delivered':
      return t.invoice_number ? `Partly delivered (tax invoice ${t.invoice_number}); the rest follows.` : 'Partly delivered; the rest follows.';
    case 'cancelled':
      return order.cancel_reason ? `Cancelled: ${order.cancel_reason}` : 'Cancelled.';
  }
}

export function TrackingSteps({ order }: { order: CustomerOrder }) {
  const state = order.tracking.state;
  if (state === 'cancelled') {
    return (
      <p data-testid="tracking-state" data-state={state} className="font-semibold text-red-800">
        Cancelled
      </p>
    );
  }
  const at = stepIndex(state);
  return (
    <ol className="grid grid-cols-4 gap-1 text-center text-xs" data-testid="tracking-state" data-state={state} aria-label={`Order status: ${TRACKING_LABELS[state]}`}>
      {STEPS.map((s, i) => {
        const label = i === 3 && state === 'partly_delivered' ? 'Partly delivered' : s.label;
        return (
          <li key={s.state} aria-current={i === at ? 'step' : undefined} className={`rounded-lg px-1 py-2 font-semibold ${i < at ? 'bg-emerald-100 text-emerald-900' : i === at ? 'bg-amber-700 text-white' : 'bg-stone-200 text-stone-700'}`}>
            {label}
          </li>
        );
      })}
    </ol>
  );
}
