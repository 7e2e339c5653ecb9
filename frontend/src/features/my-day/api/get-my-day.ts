import { z } from 'zod';
import { ApiError, api, unwrapList } from '../../../lib/api-client';
import { useCachedQuery } from '../../../lib/cached-query';
import { getMe, type Me } from '../../session/api/get-me';
import { idOf, IdOrObject } from '../../master-data/api/schemas';
import { rememberCustomers } from '../../master-data/api/search-customers';

export interface StockRow {
  cylinder_type: number;
  cylinder_type_name?: string;
  full_qty: number;
  empty_qty: number;
}

export interface Stop {
  id: number;
  sequence: number;
  order: number | null;
  customer: { id: number; name: string; address?: string | null; kind?: string | null; phone?: string | null };
  status?: string;
  lines: { cylinder_type: number; quantity: number }[];
  /** what the customer holds now (server's balance at the customer's location) */
  balance: { cylinder_type: number; full_qty: number; empty_qty: number }[];
  notes?: string | null;
}

export interface MyDay {
  vehicle: { id: number; label: string } | null;
  stock: StockRow[];
  stops: Stop[];
  totals: Record<string, string | number>;
  source: 'my-day' | 'fallback';
}

const StockRowSchema = z.looseObject({
  cylinder_type: IdOrObject,
  cylinder_type_name: z.string().nullish(),
  full_qty: z.coerce.number(),
  empty_qty: z.coerce.number(),
});

const num = (v: unknown, d = 0) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : d);

export function normalizeStock(rows: unknown[]): StockRow[] {
  return rows.map((r) => {
    const row = StockRowSchema.parse(r);
    const ct = row.cylinder_type;
    const embeddedName = ct && typeof ct === 'object' ? (ct as Record<string, unknown>).name : undefined;
    return {
      cylinder_type: idOf(ct) ?? 0,
      cylinder_type_name: row.cylinder_type_name ?? (typeof embeddedName === 'string' ? embeddedName : undefined),
      full_qty: row.full_qty,
      empty_qty: row.empty_qty,
    };
  });
}

export function normalizeStops(rows: unknown[]): Stop[] {
  return rows
    .map((r, i) => {
      const s = r as Record<string, unknown>;
      const c = s.customer as Record<string, unknown> | number | undefined;
      const customer =
        typeof c === 'object' && c
          ? { id: num(c.id), name: String(c.name ?? `Customer #${c.id}`), address: [c.address ?? c.site_address, c.postal_code && `S(${c.postal_code})`].filter(Boolean).join(' ') || null, kind: (c.kind as string | undefined) ?? null, phone: (c.phone as string | undefined) || null }
          : { id: num(c ?? s.customer_id), name: String(s.customer_name ?? `Customer #${c}`), address: (s.customer_address as string | undefined) ?? null, kind: (s.customer_kind as string | undefined) ?? null };
      const lines = (Array.isArray(s.lines) ? s.lines : []).map((l) => {
        const line = l as Record<string, unknown>;
        return { cylinder_type: idOf(line.cylinder_type as never) ?? 0, quantity: num(line.quantity) };
      });
      const order = s.order && typeof s.order === 'object' ? num((s.order as { id?: unknown }).id) : s.order != null ? num(s.order) : null;
      const balance = (Array.isArray(s.customer_balance) ? s.customer_balance : []).map((b) => {
        const row = b as Record<string, unknown>;
        return { cylinder_type: idOf(row.cylinder_type as never) ?? 0, full_qty: num(row.full_qty), empty_qty: num(row.empty_qty) };
      });
      const orderNotes = s.order && typeof s.order === 'object' ? (s.order as { notes?: unknown }).notes : undefined;
      const notes = typeof s.notes === 'string' ? s.notes : typeof orderNotes === 'string' ? orderNotes : null;
      return { id: num(s.id, i + 1), sequence: num(s.sequence ?? s.position ?? s.stop_number, i + 1), order, customer, status: s.status as string | undefined, lines, balance, notes };
    })
    .sort((a, b) => a.sequence - b.sequence);
}

export function normalizeMyDay(raw: Record<string, unknown>, me?: Me): MyDay {
  const v = raw.vehicle as Record<string, unknown> | number | null | undefined;
  let vehicle: MyDay['vehicle'] = null;
  if (typeof v === 'number') vehicle = { id: v, label: me?.vehicleLabel ?? `Vehicle #${v}` };
  else if (v && typeof v === 'object') vehicle = { id: num(v.id), label: String(v.registration ?? v.plate_number ?? v.name ?? `Vehicle #${v.id}`) };
  else if (me?.vehicleId) vehicle = { id: me.vehicleId, label: me.vehicleLabel };
  const stockRaw = raw.stock ?? raw.vehicle_stock ?? (v && typeof v === 'object' ? (v as Record<string, unknown>).stock : undefined);
  const totals = (raw.totals ?? raw.day_totals ?? {}) as Record<string, string | number>;
  return {
    vehicle,
    stock: normalizeStock(unwrapList(stockRaw)),
    stops: normalizeStops(unwrapList(raw.stops)),
    totals: typeof totals === 'object' && totals ? totals : {},
    source: 'my-day',
  };
}

/** The dispatcher's notes of today's orders (GET /api/orders/, the driver's own for today); best effort. */
async function addOrderNotes(stops: Stop[]): Promise<void> {
  if (!stops.some((s) => s.order !== null && !s.notes)) return;
  try {
    const orders = unwrapList<{ id: number; notes?: string | null }>(await api.json('/api/orders/'));
    const notes = new Map(orders.map((o) => [o.id, o.notes]));
    for (const s of stops) if (!s.notes && s.order !== null) s.notes = notes.get(s.order) || null;
  } catch {
    /* the stops show without notes */
  }
}

/** GET /api/my-day/; on 404 falls back to /api/me/ + /api/stock/?vehicle=. */
export async function getMyDay(me?: Me): Promise<MyDay> {
  try {
    const raw = await api.json<Record<string, unknown>>('/api/my-day/');
    const day = normalizeMyDay(raw, me);
    await addOrderNotes(day.stops);
    await rememberCustomers(day.stops.map((s) => ({ id: s.customer.id, name: s.customer.name, address: s.customer.address, kind: s.customer.kind })));
    return day;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
  }
  const who = me ?? (await getMe());
  const stock = who.vehicleId ? normalizeStock(unwrapList(await api.json(`/api/stock/?vehicle=${who.vehicleId}`))) : [];
  return {
    vehicle: who.vehicleId ? { id: who.vehicleId, label: who.vehicleLabel } : null,
    stock,
    stops: [],
    totals: {},
    source: 'fallback',
  };
}

export const useMyDay = (me?: Me) => useCachedQuery(me ? `my-day:${me.id}` : null, () => getMyDay(me));
