// A stand-in for the Django API, for developing and checking the e2e specs
// before the real server exists: `node e2e/mock-server.mjs` (port 8765) or
// `E2E_MOCK=1 node e2e/run.mjs`. It follows shared/API.md closely enough for
// the driver journeys, verifies event signatures over RFC 8785 canonical JSON
// exactly like the server must, and serves frontend/dist under /app/.
// The real acceptance run is against Django (make e2e).

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createPublicKey, randomBytes, randomUUID, verify } from 'node:crypto';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.webmanifest': 'application/manifest+json', '.json': 'application/json' };

export function canonicalize(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalize).join(',')}]`;
  return `{${Object.keys(v).filter((k) => v[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalize(v[k])}`).join(',')}}`;
}

function freshState() {
  return {
    users: { 'driver1@example.com': { id: 11, email: 'driver1@example.com', name: 'Demo Driver One', role: 'driver', depot: 1, vehicle: 3, password: 'demo1234' } },
    access: new Map(),
    refresh: new Map(),
    devices: new Map(),
    events: new Map(),
    depots: [{ id: 1, name: 'Jurong Depot', code: 'JUR' }, { id: 2, name: 'Tuas Depot', code: 'TUA' }],
    types: [{ id: 1, name: '12.7kg LPG', sku: 'C12', list_price: '27.50' }, { id: 2, name: '14kg LPG', sku: 'C14', list_price: '30.00' }],
    customers: [
      { id: 7, name: 'Ah Seng Eating House', code: 'C007', kind: 'COMMERCIAL', site_address: '12 Ang Mo Kio Ave 3', postal_code: '560012', phone: '' },
      { id: 8, name: 'Bukit Timah Laundry', code: 'C008', kind: 'COMMERCIAL', site_address: '88 Upper Bukit Timah Rd', postal_code: '588215', phone: '' },
    ],
    vehicles: [{ id: 3, plate_number: 'GBA1234X', home_depot: 1, description: '', is_active: true }],
    stock: new Map([['depot:1:1', { full: 200, empty: 0 }], ['depot:1:2', { full: 200, empty: 0 }]]),
    distributions: [],
    seq: { dist: 0, inv: 0 },
  };
}
let S = freshState();

const bal = (loc, t) => {
  const k = `${loc}:${t}`;
  if (!S.stock.has(k)) S.stock.set(k, { full: 0, empty: 0 });
  return S.stock.get(k);
};
const err = (status, code, detail, fields) => ({ status, body: { code, detail, ...(fields ? { fields } : {}) } });
const page = (results) => ({ count: results.length, next: null, previous: null, results });

function issueTokens(email) {
  const access = `a.${randomBytes(12).toString('hex')}`;
  const refresh = `r.${randomBytes(12).toString('hex')}`;
  S.access.set(access, email);
  S.refresh.set(refresh, email);
  return { access, refresh };
}

/** Applies a document atomically or refuses it whole, like the real services. */
function applyMoves(moves) {
  const need = new Map();
  for (const m of moves) {
    const k = `${m.from}:${m.type}:${m.state}`;
    need.set(k, (need.get(k) ?? 0) + m.qty);
  }
  const short = [];
  for (const [k, q] of need) {
    const [kind, id, t, state] = k.split(':');
    if (kind === 'customer') continue;
    const have = bal(`${kind}:${id}`, t)[state];
    if (have < q) short.push(`${kind} ${id} type ${t} ${state}: ${have} available, ${q} requested`);
  }
  if (short.length) return err(409, 'insufficient_stock', `Not enough stock: ${short.join('; ')}`);
  for (const m of moves) {
    bal(m.from, m.type)[m.state] -= m.qty;
    bal(m.to, m.type)[m.state] += m.qty;
  }
  return null;
}

function createDistribution(user, body) {
  const items = body?.items;
  if (!Array.isArray(items) || !items.length || body.vehicle !== user.vehicle) return err(422, 'invalid_movement', 'Invalid distribution.');
  const moves = items.map((i) => {
    const depot = `depot:${i.depot}`;
    const veh = `vehicle:${body.vehicle}`;
    if (i.movement_type === 'COLLECTION') return { from: depot, to: veh, type: i.cylinder_type, state: 'full', qty: i.quantity };
    if (i.movement_type === 'EMPTY_RETURN') return { from: veh, to: depot, type: i.cylinder_type, state: 'empty', qty: i.quantity };
    return { from: veh, to: depot, type: i.cylinder_type, state: 'full', qty: i.quantity };
  });
  const e = applyMoves(moves);
  if (e) return e;
  const id = S.distributions.length + 1;
  const number = `DIST-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}-${String(++S.seq.dist).padStart(4, '0')}`;
  const doc = {
    id, number, status: 'confirmed', driver: user.id, vehicle: body.vehicle, items,
    total_collection: items.filter((i) => i.movement_type === 'COLLECTION').reduce((s, i) => s + i.quantity, 0),
    total_return: items.filter((i) => i.movement_type !== 'COLLECTION').reduce((s, i) => s + i.quantity, 0),
    created_at: new Date().toISOString(),
  };
  S.distributions.push(doc);
  return { status: 201, body: doc };
}

function createDelivery(user, body) {
  if (!Array.isArray(body?.lines) || !body.lines.length || body.vehicle !== user.vehicle) return err(422, 'invalid_movement', 'Invalid delivery.');
  const veh = `vehicle:${body.vehicle}`;
  const cust = `customer:${body.customer}`;
  const moves = body.lines.flatMap((l) => [
    ...(l.delivered_full ? [{ from: veh, to: cust, type: l.cylinder_type, state: 'full', qty: l.delivered_full }] : []),
    ...(l.returned_empty ? [{ from: cust, to: veh, type: l.cylinder_type, state: 'empty', qty: l.returned_empty }] : []),
  ]);
  const e = applyMoves(moves);
  if (e) return e;
  let sub = 0;
  for (const l of body.lines) sub += Math.round(Number(S.types.find((t) => t.id === l.cylinder_type)?.list_price ?? 0) * 100) * l.delivered_full;
  const gst = Math.floor((sub * 9 + 50) / 100);
  const f = (c) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
  const invId = ++S.seq.inv;
  return {
    status: 201,
    body: {
      id: invId, customer: body.customer, vehicle: body.vehicle, lines: body.lines,
      invoice: { id: invId, number: `INV-2026-${String(invId).padStart(6, '0')}`, subtotal: f(sub), gst_rate: '9.00', gst_amount: f(gst), total: f(sub + gst), status: 'issued', pdf_url: null },
    },
  };
}

function syncEvent(user, deviceId, ev) {
  const dev = S.devices.get(deviceId);
  if (!dev) return { id: ev.id, status: 'rejected', code: 'unknown_device', detail: 'Unknown device.' };
  const signed = Buffer.from(canonicalize({ id: ev.id, type: ev.type, occurred_at: ev.occurred_at, payload: ev.payload }), 'utf8');
  const ok = verify('sha256', signed, { key: createPublicKey({ key: dev.jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(ev.signature ?? '', 'base64'));
  if (!ok) return { id: ev.id, status: 'rejected', code: 'invalid_signature', detail: 'The signature does not match.' };
  const prev = S.events.get(ev.id);
  if (prev) {
    if (prev.canonical !== signed.toString()) return { id: ev.id, status: 'rejected', code: 'idempotency_conflict', detail: 'Same event id, different content.' };
    return prev.answer.status === 'applied' ? { ...prev.answer, status: 'duplicate' } : prev.answer;
  }
  const r = ev.type === 'distribution.create' ? createDistribution(user, ev.payload) : ev.type === 'delivery.create' ? createDelivery(user, ev.payload) : err(422, 'invalid_event', 'Unknown event type.');
  const answer = r.status === 201 ? { id: ev.id, status: 'applied', result: r.body } : { id: ev.id, status: 'rejected', code: r.body.code, detail: r.body.detail };
  S.events.set(ev.id, { canonical: signed.toString(), answer });
  return answer;
}

function myDay(user) {
  const stock = S.types.map((t) => ({ cylinder_type: t.id, cylinder_type_name: t.name, full_qty: bal(`vehicle:${user.vehicle}`, t.id).full, empty_qty: bal(`vehicle:${user.vehicle}`, t.id).empty }));
  // The shape of MyDayOutput (frontend/src/api/schema.d.ts).
  const c = S.customers[0];
  const today = new Date().toISOString().slice(0, 10);
  return {
    date: today,
    driver: { id: user.id, name: user.name },
    vehicle: { id: user.vehicle, plate_number: 'GBA1234X' },
    stock,
    stops: [{
      id: 901, sequence: 1, order: 901, status: 'ASSIGNED', scheduled_for: today,
      customer: { id: c.id, name: c.name, address: c.site_address, postal_code: c.postal_code, phone: c.phone, kind: c.kind },
      lines: [{ cylinder_type: 1, name: S.types[0].name, quantity: 2, delivered: 0, remaining: 2 }],
      customer_balance: [],
    }],
    totals: { loaded: 0, delivered: 0, collected: 0, returned: 0 },
  };
}

async function route(req, url, body) {
  const p = url.pathname;
  const m = req.method;
  if (m === 'POST' && p === '/__mock__/reset') return (S = freshState()), { status: 204 };
  if (m === 'POST' && p === '/__mock__/expire-access') return S.access.clear(), { status: 204 };
  if (m === 'POST' && p === '/api/auth/token/') {
    const u = S.users[body?.email];
    if (!u || u.password !== body?.password) return err(401, 'authentication_failed', 'No active account found with the given credentials');
    return { status: 200, body: issueTokens(u.email) };
  }
  if (m === 'POST' && p === '/api/auth/token/refresh/') {
    const email = S.refresh.get(body?.refresh);
    if (!email) return err(401, 'token_not_valid', 'Token is invalid or expired');
    S.refresh.delete(body.refresh); // rotation: the old refresh token stops working
    return { status: 200, body: issueTokens(email) };
  }
  const email = S.access.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
  if (!email) return err(401, 'not_authenticated', 'Authentication credentials were not provided.');
  const user = S.users[email];
  if (m === 'POST' && p === '/api/auth/logout/') return S.refresh.delete(body?.refresh), { status: 205 };
  if (m === 'GET' && p === '/api/me/') {
    const me = { ...user };
    delete me.password;
    return { status: 200, body: me };
  }
  if (m === 'GET' && p === '/api/my-day/') return { status: 200, body: myDay(user) };
  if (m === 'GET' && p === '/api/company/') {
    return { status: 200, body: { name: 'Lion City Gas Pte Ltd', address: '1 Jurong Port Rd', uen: '201912345K', gst_reg_no: 'M2-1234567-8', phone: '', email: '', paynow_uen: '201912345K' } };
  }
  if (m === 'GET' && p === '/api/depots/') return { status: 200, body: page(S.depots) };
  if (m === 'GET' && p === '/api/cylinder-types/') return { status: 200, body: page(S.types) };
  if (m === 'GET' && p === '/api/customers/') {
    const q = (url.searchParams.get('search') ?? '').toLowerCase();
    return { status: 200, body: page(S.customers.filter((c) => `${c.name} ${c.code} ${c.site_address}`.toLowerCase().includes(q))) };
  }
  const veh = /^\/api\/vehicles\/(\d+)\/$/.exec(p);
  if (m === 'GET' && veh) return { status: 200, body: S.vehicles.find((v) => v.id === Number(veh[1])) ?? {} };
  if (m === 'GET' && p === '/api/stock/') {
    const v = url.searchParams.get('vehicle');
    const d = url.searchParams.get('depot');
    const loc = v ? `vehicle:${v}` : `depot:${d}`;
    return { status: 200, body: S.types.map((t) => ({ location: loc, cylinder_type: t.id, full_qty: bal(loc, t.id).full, empty_qty: bal(loc, t.id).empty })) };
  }
  if (m === 'POST' && p === '/api/devices/') {
    const jwk = body?.public_key_jwk;
    if (!jwk || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y || jwk.d) return err(400, 'invalid', 'Bad public key', { public_key_jwk: ['invalid'] });
    const id = randomUUID();
    S.devices.set(id, { jwk, user: email, name: body.name });
    return { status: 201, body: { id } };
  }
  if (m === 'POST' && p === '/api/sync/') {
    if (!Array.isArray(body?.events)) return err(400, 'invalid', 'events required');
    return { status: 200, body: { results: body.events.map((ev) => syncEvent(user, body.device, ev)) } };
  }
  const rec = /^\/api\/distributions\/(\d+)\/receipt\/$/.exec(p);
  if (m === 'GET' && rec) {
    const d = S.distributions.find((x) => x.id === Number(rec[1]));
    if (!d) return err(404, 'not_found', 'Not found.');
    return { status: 200, raw: Buffer.from(`\x1b@${d.number}\n\x1dV\x00`, 'latin1'), type: 'application/octet-stream' };
  }
  if (m === 'GET' && p === '/api/__state__/') return { status: 200, body: { distributions: S.distributions.length, events: S.events.size } };
  return err(404, 'not_found', 'Not found.');
}

async function serveStatic(res, pathname) {
  let rel = pathname.replace(/^\/app\/?/, '') || 'index.html';
  rel = normalize(rel).replace(/^(\.\.[/\\])+/, '');
  let file = join(DIST, rel);
  let data;
  try {
    data = await readFile(file);
  } catch {
    file = join(DIST, 'index.html');
    data = await readFile(file);
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
  res.end(data);
}

export function startMockServer(port = 8765, host = '127.0.0.1') {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, `http://${req.headers.host}`);
    try {
      if (url.pathname === '/') {
        res.writeHead(302, { Location: '/app/' });
        return res.end();
      }
      if (url.pathname.startsWith('/app')) return await serveStatic(res, url.pathname);
      let body;
      if (req.method === 'POST') {
        const chunks = [];
        for await (const c of req) chunks.push(c);
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          body = text ? JSON.parse(text) : {};
        } catch {
          res.writeHead(400, { 'Content-Type': 'application/json' });
          return res.end(JSON.stringify({ code: 'parse_error', detail: 'Malformed JSON.' }));
        }
      }
      const r = await route(req, url, body);
      if (r.raw) {
        res.writeHead(r.status, { 'Content-Type': r.type });
        return res.end(r.raw);
      }
      res.writeHead(r.status, r.body ? { 'Content-Type': 'application/json' } : {});
      res.end(r.body ? JSON.stringify(r.body) : undefined);
    } catch (e) {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code: 'server_error', detail: String(e) }));
    }
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 8765);
  await startMockServer(port);
  console.log(`mock API and PWA on http://127.0.0.1:${port}/app/`);
}
