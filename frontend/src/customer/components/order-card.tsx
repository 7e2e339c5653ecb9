import { Card } from '../../components/ui/card';
import type { BoughtType, CustomerOrder } from '../api/types';
import { day, hhmm } from '../format';
import { hrefOf } from '../router';
import { trackingSentence, TrackingSteps } from './tracking';

export function typeName(types: BoughtType[] | undefined, id: number): string {
  return types?.find((t) => t.id === id)?.name ?? `Cylinder type ${id}`;
}

export function linesText(order: CustomerOrder, types: BoughtType[] | undefined): string {
  return order.lines.map((l) => `${l.quantity} × ${typeName(types, l.cylinder_type)}`).join(', ');
}

export function windowText(order: CustomerOrder): string {
  return order.window_start && order.window_end ? `${hhmm(order.window_start)}–${hhmm(order.window_end)}` : 'any time';
}

export function OrderCard({ order, types }: { order: CustomerOrder; types: BoughtType[] | undefined }) {
  return (
    <Card data-testid="order-card" data-order={order.id} data-state={order.tracking.state} className="space-y-2">
      <div className="flex items-baseline justify-between gap-2">
        <h3 className="text-lg font-bold">Order #{order.id}</h3>
        <span className="text-sm text-stone-700">{day(order.scheduled_for)}</span>
      </div>
      <p className="text-stone-800">{linesText(order, types)}</p>
      <TrackingSteps order={order} />
      <p className="text-sm text-stone-800" data-testid="tracking-sentence">
        {trackingSentence(order)}
      </p>
      <a href={hrefOf({ name: 'order-detail', id: order.id, placed: false })} className="inline-flex min-h-11 items-center font-semibold text-amber-800 underline" aria-label={`Details of order #${order.id}`}>
        Details
      </a>
    </Card>
  );
}
