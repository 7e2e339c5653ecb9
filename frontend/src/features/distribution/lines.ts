// The distribution being entered: lines of (depot, cylinder type, movement,
// quantity) with running totals per movement. Pure functions, tested.

import type { DistributionItemInput, DistributionPayload } from '../../api/types';
import { serialsField } from '../../lib/serials';

export type Movement = DistributionItemInput['movement_type'];
export const MOVEMENTS = ['COLLECTION', 'EMPTY_RETURN', 'FULL_RETURN'] as const satisfies readonly Movement[];

export const MOVEMENT_LABELS: Record<Movement, string> = {
  COLLECTION: 'Collection (fulls depot → vehicle)',
  EMPTY_RETURN: 'Empty return (vehicle → depot)',
  FULL_RETURN: 'Full return (unsold fulls → depot)',
};
export const MOVEMENT_SHORT: Record<Movement, string> = {
  COLLECTION: 'Collected fulls',
  EMPTY_RETURN: 'Returned empties',
  FULL_RETURN: 'Returned fulls',
};

export interface DistributionLine {
  key: string;
  depot: number;
  cylinder_type: number;
  movement_type: Movement;
  quantity: number;
  /** cylinder serials moved by this line (issue 13): required for serialised types, one per cylinder */
  serials?: string[];
  /** the server's reason, on a line of a reopened rejected distribution (cleared when the line is changed) */
  reason?: string;
}

export type LinesAction =
  | { type: 'add'; line: Omit<DistributionLine, 'key'> }
  | { type: 'bump'; key: string; by: number }
  | { type: 'set'; key: string; quantity: number }
  | { type: 'edit'; key: string; changes: Partial<Omit<DistributionLine, 'key'>> }
  | { type: 'serials'; key: string; serials: string[] }
  | { type: 'remove'; key: string }
  | { type: 'clear' }
  | { type: 'replace'; lines: DistributionLine[] };

const MAX_QTY = 9999;
const clampQty = (n: number) => Math.max(1, Math.min(MAX_QTY, Math.trunc(Number.isFinite(n) ? n : 1)));
const sameTarget = (a: Omit<DistributionLine, 'key' | 'quantity'>, b: Omit<DistributionLine, 'key' | 'quantity'>) =>
  a.depot === b.depot && a.cylinder_type === b.cylinder_type && a.movement_type === b.movement_type;

let counter = 0;
/** Both lines' serials, each once (a merged line keeps every serial scanned for it). */
const mergeSerials = (a?: string[], b?: string[]) => {
  const all = [...new Set([...(a ?? []), ...(b ?? [])])];
  return all.length ? all : undefined;
};
const newKey = () => `l${Date.now().toString(36)}${(counter++).toString(36)}`;

/** Adding a line for the same depot, type and movement adds to that line. */
export function linesReducer(lines: DistributionLine[], action: LinesAction): DistributionLine[] {
  switch (action.type) {
    case 'add': {
      const quantity = clampQty(action.line.quantity);
      const existing = lines.find((l) => sameTarget(l, action.line));
      if (existing) return lines.map((l) => (l === existing ? { ...l, quantity: clampQty(l.quantity + quantity), serials: mergeSerials(l.serials, action.line.serials) } : l));
      return [...lines, { ...action.line, quantity, key: newKey() }];
    }
    case 'bump':
      return lines.map((l) => (l.key === action.key ? { ...l, quantity: clampQty(l.quantity + action.by), reason: undefined } : l));
    case 'set':
      return lines.map((l) => (l.key === action.key ? { ...l, quantity: clampQty(action.quantity), reason: undefined } : l));
    case 'edit': {
      const edited = lines.map((l) => {
        if (l.key !== action.key) return l;
        // serials belong to a cylinder type: another type starts without them
        const serials = action.changes.cylinder_type !== undefined && action.changes.cylinder_type !== l.cylinder_type ? action.changes.serials : (action.changes.serials ?? l.serials);
        return { ...l, ...action.changes, serials, quantity: clampQty(action.changes.quantity ?? l.quantity), reason: undefined };
      });
      // merge if the edit made it identical in target to another line
      const target = edited.find((l) => l.key === action.key);
      const twin = target && edited.find((l) => l.key !== target.key && sameTarget(l, target));
      if (target && twin) {
        return edited
          .filter((l) => l.key !== target.key)
          .map((l) => (l === twin ? { ...l, quantity: clampQty(l.quantity + target.quantity), serials: mergeSerials(l.serials, target.serials) } : l));
      }
      return edited;
    }
    case 'serials':
      return lines.map((l) => (l.key === action.key ? { ...l, serials: action.serials.length ? [...action.serials] : undefined, reason: undefined } : l));
    case 'remove':
      return lines.filter((l) => l.key !== action.key);
    case 'clear':
      return [];
    case 'replace':
      return action.lines.map((l) => ({ ...l, quantity: clampQty(l.quantity) }));
  }
}

export type MovementTotals = Record<Movement, number>;

export function totalsByMovement(lines: Pick<DistributionLine, 'movement_type' | 'quantity'>[]): MovementTotals {
  const totals: MovementTotals = { COLLECTION: 0, EMPTY_RETURN: 0, FULL_RETURN: 0 };
  for (const l of lines) totals[l.movement_type] += l.quantity;
  return totals;
}

/** Net change of the vehicle's stock per cylinder type, as the driver will see it. */
export function vehicleDelta(lines: DistributionLine[]): Map<number, { full: number; empty: number }> {
  const out = new Map<number, { full: number; empty: number }>();
  for (const l of lines) {
    const d = out.get(l.cylinder_type) ?? { full: 0, empty: 0 };
    if (l.movement_type === 'COLLECTION') d.full += l.quantity;
    if (l.movement_type === 'FULL_RETURN') d.full -= l.quantity;
    if (l.movement_type === 'EMPTY_RETURN') d.empty -= l.quantity;
    out.set(l.cylinder_type, d);
  }
  return out;
}

/** The body of POST /api/distributions/ (and the payload of distribution.create). */
export function distributionPayload(vehicle: number, lines: DistributionLine[]): DistributionPayload {
  return {
    vehicle,
    items: lines.map((l) => ({
      depot: l.depot,
      cylinder_type: l.cylinder_type,
      quantity: l.quantity,
      movement_type: l.movement_type,
      ...serialsField('serials', l.serials),
    })),
  };
}

export interface VehicleStockRow {
  cylinder_type: number;
  full_qty: number;
  empty_qty: number;
}

/**
 * What the app can see is short before sending: the vehicle would go below
 * zero (empties returned beyond the empties on board, fulls returned beyond
 * the fulls). `pending` is what queued events will change first. The server
 * checks the whole document the same way (net per location) and decides.
 */
export function vehicleShortages(
  lines: Pick<DistributionLine, 'cylinder_type' | 'movement_type' | 'quantity'>[],
  stock: VehicleStockRow[],
  pending: Map<number, { full: number; empty: number }> = new Map(),
): { cylinder_type: number; state: 'FULL' | 'EMPTY'; available: number; requested: number }[] {
  const out: { cylinder_type: number; state: 'FULL' | 'EMPTY'; available: number; requested: number }[] = [];
  const types = [...new Set(lines.map((l) => l.cylinder_type))];
  for (const t of types) {
    const row = stock.find((s) => s.cylinder_type === t);
    const p = pending.get(t) ?? { full: 0, empty: 0 };
    const mine = lines.filter((l) => l.cylinder_type === t);
    const sum = (m: Movement) => mine.filter((l) => l.movement_type === m).reduce((n, l) => n + l.quantity, 0);
    const fullAvail = (row?.full_qty ?? 0) + p.full + sum('COLLECTION');
    const emptyAvail = (row?.empty_qty ?? 0) + p.empty;
    if (sum('FULL_RETURN') > fullAvail) out.push({ cylinder_type: t, state: 'FULL', available: fullAvail, requested: sum('FULL_RETURN') });
    if (sum('EMPTY_RETURN') > emptyAvail) out.push({ cylinder_type: t, state: 'EMPTY', available: emptyAvail, requested: sum('EMPTY_RETURN') });
  }
  return out;
}
