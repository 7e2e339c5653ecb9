// Issue 22, the dispatcher's day, in Chromium against a real server (no mocks):
// the supervisor imports tomorrow's orders from a CSV in the admin (a bad file
// imports nothing and says which row), plans tomorrow on the dispatch board,
// moves a stop to another truck, prints that truck's load sheet; the depot
// clerk follows its link to the pre-filled counter and records the load; the
// driver's phone (390x844) shows today's planned stops with ETAs; an urgent
// order for today, re-planned from the board, reaches the phone of the
// driver whose truck the planner chose.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { APP_URL, BASE_URL, launch, shot, waitFor } from './lib/harness.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PASSWORD = process.env.E2E_DEMO_PASSWORD ?? 'demo1234';
const DISPATCHER = { email: process.env.E2E_SUPERVISOR_EMAIL ?? 'supervisor@example.com', password: PASSWORD };
const CLERK = { email: process.env.E2E_DEPOT_EMAIL ?? 'depot@example.com', password: PASSWORD };
const BOARD = `${BASE_URL}/admin/dispatch/dispatchplan/board/`;

/** The demo's codes, trucks and drivers, read by Django itself (e2e/fixtures/dispatch_day.py). */
function readDemo(fixture = 'dispatch_day.py') {
  if (!process.env.DATABASE_URL) throw new Error('This spec needs the e2e database: run scripts/e2e.sh (DATABASE_URL is not set).');
  const run = spawnSync(`${ROOT}.venv/bin/python`, ['manage.py', 'shell'], {
    cwd: ROOT,
    input: readFileSync(new URL(`./fixtures/${fixture}`, import.meta.url), 'utf8'),
    encoding: 'utf8',
    env: process.env,
    timeout: 60000,
  });
  if (run.status !== 0) throw new Error(`fixture failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

async function token(creds) {
  const res = await fetch(`${BASE_URL}/api/auth/token/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(creds) });
  if (!res.ok) throw new Error(`login ${creds.email}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()).access;
}

async function api(access, path, body) {
  const headers = { Authorization: `Bearer ${access}`, Accept: 'application/json' };
  if (body !== undefined) Object.assign(headers, { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() });
  const res = await fetch(`${BASE_URL}${path}`, { method: body === undefined ? 'GET' : 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${body === undefined ? 'GET' : 'POST'} ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}
const rows = (data) => (Array.isArray(data) ? data : data.results);
const hhmm = (iso) => /T(\d{2}:\d{2})/.exec(iso ?? '')?.[1] ?? '';
const stopsOf = (truck) => truck?.route?.stops ?? [];

async function adminLogin(page, creds, next) {
  await page.goto(`${BASE_URL}/admin/login/?next=${encodeURIComponent(next)}`);
  await page.fill('#id_username', creds.email);
  await page.fill('#id_password', creds.password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/admin/login/')), page.click('input[type=submit]')]);
}

/** The board's trucks as drawn: [{vehicle, stops: [{order, eta, late, locked}]}]. */
async function drawnTrucks(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('#dboard-trucks .dboard-truck')].map((section) => ({
      vehicle: Number(section.dataset.vehicle),
      stops: [...section.querySelectorAll('li.dboard-stop')].map((li) => ({
        order: Number(li.dataset.order),
        eta: li.querySelector('.dboard-eta').textContent.trim(),
        late: Boolean(li.querySelector('.dboard-late')),
        locked: Boolean(li.querySelector('.dboard-lock input')?.checked),
      })),
    })),
  );
}

/** Clicks a board action, accepts its confirm(), waits for "<label>: done.". */
async function boardAction(page, act, label) {
  page.once('dialog', (d) => d.accept());
  await act();
  await page.waitForSelector(`#dboard-status.dboard-status--ok:has-text("${label}: done.")`, { timeout: 30000 });
}

async function phoneOf(browser, email) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, serviceWorkers: 'allow' });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(APP_URL);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=vehicle-label]');
  return { context, page };
}

/** The phone's stop cards in order: [{name, eta}] ("ETA HH:MM ..." -> "HH:MM"). */
async function phoneStops(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-testid=stop-card]')].map((card) => ({
      name: card.querySelector('[data-testid=stop] .font-semibold')?.textContent.trim() ?? '',
      eta: /ETA (\d{2}:\d{2})/.exec(card.querySelector('[data-testid=stop-eta]')?.textContent ?? '')?.[1] ?? '',
    })),
  );
}

// The bundled mock API (E2E_MOCK=1) has no dispatch, admin or CSV import: this spec needs the real server.
describe('the dispatcher\'s day (issue 22)', { skip: process.env.E2E_MOCK === '1' && 'needs the real server (scripts/e2e.sh)' }, () => {
  let browser, office, board, demo, sup;
  let imported = 0;
  let moved; // {order, from, to: truck of the fixture}
  let sheet; // the load sheet's lines, as printed
  let counterUrl;
  let phone; // {context, page, email}

  before(async () => {
    demo = readDemo();
    sup = await token(DISPATCHER);
    browser = await launch();
    office = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    board = await office.newPage();
    board.on('pageerror', (e) => console.error('[page error]', e.message));
  });
  after(async () => {
    await browser?.close();
  });

  it('imports tomorrow\'s orders from a CSV in the admin; a file with a wrong customer code imports nothing', async () => {
    const { tomorrow, restaurant, others } = demo;
    const [shipyard, clementi, household] = others;
    const csv = [
      'customer_code,cylinder_sku,quantity,window_start,window_end,urgent,notes',
      `${restaurant.code},LPG-14,7,07:00,10:00,,Restaurant: before the lunch rush`,
      `${shipyard.code},LPG-50,2,,,,`,
      `${clementi.code},LPG-12.7,3,,,yes,Nearly out`,
      `${household.code},LPG-12.7,1,,,,`,
    ].join('\n');
    const page = board;
    await adminLogin(page, DISPATCHER, '/admin/orders/order/');
    await page.click('a:text-is("Import orders (CSV)")');
    await page.waitForSelector('#id_file');
    await page.fill('#id_date', tomorrow);
    await page.setInputFiles('#id_file', { name: 'tomorrow.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.click('#service-form input[type=submit]');
    const message = await page.locator('.messagelist .success').textContent();
    assert.match(message, new RegExp(`4 orders for ${tomorrow} imported from tomorrow\\.csv`));
    await shot(page, 'admin-70-imported');
    const orders = rows(await api(sup, `/api/orders/?scheduled_for=${tomorrow}&page_size=200`));
    imported = orders.length - demo.tomorrow_orders;
    assert.equal(imported, 4);
    const lunch = orders.find((o) => o.customer === restaurant.id);
    assert.equal(lunch.source, 'IMPORT');
    assert.deepEqual([lunch.window_start, lunch.window_end], ['07:00', '10:00']);
    assert.deepEqual(lunch.lines.map((l) => [l.cylinder_type, l.quantity]), [[demo.types['LPG-14'], 7]]);
    assert.equal(orders.find((o) => o.customer === clementi.id).urgent, true);

    // the second file: one good row, one unknown customer -> the row's error, nothing created
    await page.click('a:text-is("Import orders (CSV)")');
    await page.waitForSelector('#id_file');
    await page.fill('#id_date', tomorrow);
    const bad = ['customer_code,cylinder_sku,quantity', `${household.code},LPG-14,2`, 'C9999,LPG-14,1'].join('\n');
    await page.setInputFiles('#id_file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.click('#service-form input[type=submit]');
    await page.waitForSelector('#import-errors');
    assert.match(await page.textContent('.errornote'), /Nothing was imported: the file has 1 problem/);
    const errors = await page.locator('#import-errors tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.deepEqual(errors[0].slice(0, 2), ['3', 'customer_code']);
    assert.match(errors[0][2], /C9999/);
    assert.equal(await page.locator('.messagelist .success').count(), 0);
    await shot(page, 'admin-71-import-refused');
    assert.equal(rows(await api(sup, `/api/orders/?scheduled_for=${tomorrow}&page_size=200`)).length, demo.tomorrow_orders + 4);
  });

  it('plans tomorrow on the board: trucks with stops and ETAs, the restaurant on time', async () => {
    const page = board;
    await page.goto(`${BOARD}?date=${demo.tomorrow}`);
    await page.waitForSelector('#dboard-plan:not([hidden]), #dboard-replan:not([hidden])');
    // the new orders wait for a plan; a fresh e2e database has no plan for tomorrow yet (run again: Re-plan)
    const fresh = await page.isVisible('#dboard-plan');
    assert.equal(await page.locator('#dboard-unplanned tbody tr').count(), fresh ? demo.tomorrow_orders + imported : imported);
    await boardAction(page, () => page.click(fresh ? '#dboard-plan' : '#dboard-replan'), fresh ? 'Plan the day' : 'Re-plan');
    const drawn = await drawnTrucks(page);
    const data = await api(sup, `/api/dispatch/board/?date=${demo.tomorrow}`);
    // what the board draws is the day's board JSON, truck by truck, stop by stop
    assert.deepEqual(drawn.map((t) => [t.vehicle, t.stops.map((s) => [s.order, s.eta])]), data.trucks.map((t) => [t.vehicle.id, stopsOf(t).map((s) => [s.order, hhmm(s.eta)])]));
    const stops = drawn.flatMap((t) => t.stops);
    assert.equal(stops.length, data.counts.planned);
    assert.equal(data.counts.planned + data.counts.unassigned, demo.tomorrow_orders + imported);
    assert.equal(data.counts.unassigned, 0, `left out: ${JSON.stringify(data.unassigned.map((o) => [o.customer.name, o.reason]))}`);
    assert.ok(stops.every((s) => /^\d{2}:\d{2}$/.test(s.eta)), `every stop has an ETA: ${JSON.stringify(stops)}`);
    const lunch = data.trucks.flatMap(stopsOf).find((s) => s.customer.id === demo.restaurant.id);
    assert.ok(lunch, 'the restaurant is on a truck');
    assert.equal(lunch.late, false, `restaurant ETA ${lunch.eta} inside 07:00-10:00`);
    assert.ok(hhmm(lunch.eta) >= '07:00' && hhmm(lunch.eta) <= '10:00', lunch.eta);
    await page.locator('#dboard-trucks').scrollIntoViewIfNeeded();
    await shot(page, 'admin-72-board-planned');
  });

  it('moves a stop to another truck: after the re-plan it is in that truck\'s column, locked', async () => {
    const page = board;
    const drawn = await drawnTrucks(page);
    const from = drawn.find((t) => t.stops.some((s) => s.order));
    const order = from.stops[0].order;
    // to a truck of the depot clerk's depot (Tuas), so the counter can load it below
    const to = demo.trucks.find((t) => t.depot === 'TUAS' && t.id !== from.vehicle);
    await boardAction(page, () => page.getByLabel(`Move order #${order} to another truck`).selectOption(String(to.id)), `Move #${order} to ${to.plate}`);
    await page.waitForSelector(`.dboard-truck[data-vehicle="${to.id}"] li.dboard-stop[data-order="${order}"]`);
    const after = await drawnTrucks(page);
    const stop = after.find((t) => t.vehicle === to.id).stops.find((s) => s.order === order);
    assert.equal(stop.locked, true);
    assert.match(stop.eta, /^\d{2}:\d{2}$/);
    assert.ok(!after.find((t) => t.vehicle === from.vehicle).stops.some((s) => s.order === order), 'gone from the first truck');
    assert.equal(after.flatMap((t) => t.stops).length, drawn.flatMap((t) => t.stops).length, 'no stop lost or doubled');
    assert.match(await page.textContent('#dboard-plan-info'), /Plan v\d+ \(move\)/);
    moved = { order, from: from.vehicle, to };
    await page.locator(`li.dboard-stop[data-order="${order}"]`).scrollIntoViewIfNeeded();
    await shot(page, 'admin-73-board-moved');
  });

  it('prints the truck\'s load sheet: its stops\' cylinders plus the buffer', async () => {
    const { to } = moved;
    const [printout] = await Promise.all([
      office.waitForEvent('page'),
      board.locator(`.dboard-truck[data-vehicle="${to.id}"] a:text-is("Print load sheet")`).click(),
    ]);
    await printout.waitForSelector('#load-sheet');
    assert.match(await printout.textContent('h1'), new RegExp(`Load sheet: ${to.plate}`));
    sheet = await printout.locator('#load-lines tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const c = [...tr.children].map((td) => td.textContent.trim());
        return { name: c[0], sku: c[1], ordered: Number(c[2]), buffer: Number(c[3]), to_load: Number(c[4]) };
      }),
    );
    // ordered = the cylinders of the truck's stops on the board, per type; to load = ordered + buffer
    const data = await api(sup, `/api/dispatch/board/?date=${demo.tomorrow}`);
    const truck = data.trucks.find((t) => t.vehicle.id === to.id);
    const want = {};
    for (const stop of stopsOf(truck)) for (const l of stop.lines) want[l.name] = (want[l.name] ?? 0) + l.quantity;
    assert.deepEqual(Object.fromEntries(sheet.filter((l) => l.ordered).map((l) => [l.name, l.ordered])), want);
    for (const line of sheet) assert.equal(line.to_load, line.ordered + line.buffer, JSON.stringify(line));
    const api_ = await api(sup, `/api/dispatch/load-sheets/${to.id}/?date=${demo.tomorrow}`);
    assert.deepEqual(sheet.map((l) => [l.sku, l.to_load]), api_.lines.map((l) => [l.sku, l.to_load]));
    // the stops in order, the moved one among them
    const orders = await printout.locator('#load-stops tbody tr td:nth-child(4) small').allTextContents();
    assert.deepEqual(orders.map((t) => Number(/#(\d+)/.exec(t)[1])), stopsOf(truck).map((s) => s.order));
    assert.ok(orders.some((t) => t.includes(`#${moved.order} `)));
    counterUrl = new URL(await printout.getAttribute('#counter-link', 'href'), BASE_URL).href;
    await shot(printout, 'admin-74-load-sheet');
    await printout.close();
  });

  it('the depot clerk follows the sheet\'s link: the counter pre-filled, the load recorded', async () => {
    const { to } = moved;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const sheetPath = `/admin/dispatch/dispatchplan/load-sheet/${to.id}/?date=${demo.tomorrow}`;
    await adminLogin(page, CLERK, sheetPath);
    await page.waitForSelector('#load-sheet');
    assert.equal(new URL(await page.getAttribute('#counter-link', 'href'), BASE_URL).href, counterUrl);
    await page.click('#counter-link');
    await page.waitForSelector('#counter-lines');
    assert.equal(await page.inputValue('#id_vehicle'), String(to.id));
    const total = sheet.reduce((n, l) => n + l.to_load, 0);
    assert.ok(total > 0);
    for (const line of sheet) {
      const typeId = demo.types[line.sku];
      assert.equal(await page.inputValue(`input[name=load_${typeId}]`), line.to_load ? String(line.to_load) : '', line.sku);
    }
    await shot(page, 'admin-75-counter-prefilled');
    const before = (await api(sup, `/api/dispatch/load-sheets/${to.id}/?date=${demo.tomorrow}`)).lines;
    await page.click('#service-form input[type=submit]');
    const message = await page.locator('.messagelist .success').textContent();
    assert.match(message, new RegExp(`Recorded DIST-\\d{8}-\\d{4}: ${total} loaded, 0 returned`));
    const after = (await api(sup, `/api/dispatch/load-sheets/${to.id}/?date=${demo.tomorrow}`)).lines;
    for (const line of after) {
      const was = before.find((l) => l.sku === line.sku);
      assert.equal(line.on_truck, (was?.on_truck ?? 0) + line.to_load, `${line.sku} on the truck`);
    }
    await context.close();
  });

  it('the driver\'s phone shows today\'s planned stops in order, with ETAs', async () => {
    const { to } = moved;
    const data = await api(sup, `/api/dispatch/board/?date=${demo.today}`);
    const truck = data.trucks.find((t) => t.vehicle.id === to.id);
    const planned = stopsOf(truck);
    assert.ok(planned.length > 0, `the demo plans today for ${to.plate}`);
    phone = { ...(await phoneOf(browser, to.driver)), email: to.driver };
    await phone.page.waitForSelector('[data-testid=stop-card] [data-testid=stop-eta]');
    const cards = await phoneStops(phone.page);
    // the planned stops, in the plan's order and at its times (an order added after the plan has no ETA yet)
    assert.deepEqual(
      cards.filter((c) => c.eta),
      planned.map((s) => ({ name: s.customer.name, eta: hhmm(s.eta) })),
    );
    await shot(phone.page, '70-phone-today');
  });

  it('an urgent order for today, re-planned from the board, reaches the chosen truck\'s phone', async () => {
    const { today, types } = demo;
    // the trucks on a long shift and an any-time customer (fixtures/late_shift.py): whatever the hour of the run
    const urgent = readDemo('late_shift.py');
    const order = await api(sup, '/api/orders/', {
      customer: urgent.id,
      scheduled_for: today,
      lines: [{ cylinder_type: types['LPG-12.7'], quantity: 1 }],
      urgent: true,
      notes: 'Urgent: ran out this morning',
    });
    assert.equal(order.urgent, true);
    await board.goto(`${BOARD}?date=${today}`);
    await board.waitForSelector(`#dboard-unplanned tr[data-order="${order.id}"]:has-text("URGENT")`);
    await boardAction(board, () => board.click('#dboard-replan'), 'Re-plan');
    const data = await api(sup, `/api/dispatch/board/?date=${today}`);
    const truck = data.trucks.find((tr) => stopsOf(tr).some((s) => s.order === order.id));
    assert.ok(truck, `the urgent order is on no truck: ${JSON.stringify(data.unassigned.find((o) => o.order === order.id))}`);
    const stop = stopsOf(truck).find((s) => s.order === order.id);
    await board.waitForSelector(`.dboard-truck[data-vehicle="${truck.vehicle.id}"] li.dboard-stop[data-order="${order.id}"]`);
    await shot(board, 'admin-76-board-urgent');
    const email = demo.trucks.find((tr) => tr.id === truck.vehicle.id).driver;
    if (email !== phone.email) {
      await phone.context.close();
      phone = { ...(await phoneOf(browser, email)), email };
    } else {
      await phone.page.reload();
    }
    const card = phone.page.locator('[data-testid=stop-card]', { hasText: urgent.name });
    await waitFor(async () => (await card.count()) === 1 || (await phone.page.reload(), false), { timeout: 20000, interval: 1000, message: `${urgent.name} on ${email}'s phone` });
    assert.equal(/ETA (\d{2}:\d{2})/.exec(await card.locator('[data-testid=stop-eta]').textContent())?.[1], hhmm(stop.eta));
    const cards = await phoneStops(phone.page);
    assert.deepEqual(cards.filter((c) => c.eta).map((c) => c.name), stopsOf(truck).map((s) => s.customer.name));
    await card.scrollIntoViewIfNeeded();
    await shot(phone.page, '71-phone-urgent');
  });
});
