// Issue 23, the customer app, in Chromium at phone size against a real server
// (no mocks): the office's invite e-mail link opens the app, the contact sets
// a password and is signed in, orders two cylinders (the quote with GST and
// the deposit, a double tap makes one order), cancels another not yet
// planned; the dispatcher plans the day; the driver delivers the stop on the
// driver's PWA; the contact sees "delivered", downloads the tax invoice PDF,
// sees the new balance, the deposit held and a PayNow QR for the unpaid
// invoice, and a statement period over 370 days answers the server's error.
// axe-core runs on every customer screen: no violation allowed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { APP_URL, BASE_URL, DRIVER, launch, newPhone, shot, waitFor } from './lib/harness.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const AXE = fileURLToPath(new URL('../node_modules/axe-core/axe.min.js', import.meta.url));
const CUSTOMER_URL = `${BASE_URL}/app/customer/`;
const PASSWORD = process.env.E2E_DEMO_PASSWORD ?? 'demo1234';
const DISPATCHER = { email: process.env.E2E_SUPERVISOR_EMAIL ?? 'supervisor@example.com', password: PASSWORD };
const CONTACT_PASSWORD = 'Blue-cylinder-2026';

/** A fixture through `manage.py shell` against the e2e database; its last line is JSON. */
function fixture(name, env = {}) {
  if (!process.env.DATABASE_URL) throw new Error('This spec needs the e2e database: run scripts/e2e.sh (DATABASE_URL is not set).');
  const run = spawnSync(`${ROOT}.venv/bin/python`, ['manage.py', 'shell'], {
    cwd: ROOT,
    input: readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'),
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60000,
  });
  if (run.status !== 0) throw new Error(`fixture ${name} failed: ${run.stderr}`);
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
const sgd = (amount) => `SGD ${Number(amount).toFixed(2)}`;
const cents = (amount) => Math.round(Number(amount) * 100);

/** axe-core on the screen as it is: zero violations, or each one named with its nodes. */
async function axe(page, screen) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const found = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(found, [], `axe on ${screen}`);
}

/** A file the page saves (the app fetches it with the token, then saves it through a link). */
async function download(page, click) {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: readFileSync(path) };
}

// The bundled mock API (E2E_MOCK=1) has no customer endpoints, dispatch or Django fixture: this spec needs the real server.
describe('the customer app (issue 23)', { skip: process.env.E2E_MOCK === '1' && 'needs the real server (scripts/e2e.sh)' }, () => {
  let browser, phone, fx, sup, contact;
  let orderId, truck, invoiceNumber;
  const before_ = {};

  before(async () => {
    fx = fixture('customer_app.py');
    sup = await token(DISPATCHER);
    browser = await launch();
    phone = await newPhone(browser, { bluetooth: 'none' });
  });
  after(async () => {
    await browser?.close();
  });

  it('serves its page no-cache and its first screen in at most 100 KB of brotli JS, cached for a year', async () => {
    const shell = await fetch(CUSTOMER_URL);
    assert.equal(shell.headers.get('cache-control'), 'no-cache');
    const html = await shell.text();
    // the entry and every static import (Vite lists them as modulepreload); the lazy screens are not here
    const scripts = [...html.matchAll(/<(?:script type="module"[^>]+src|link rel="modulepreload"[^>]+href)="([^"]+\.js)"/g)].map((m) => m[1]);
    assert.ok(scripts.length >= 1 && scripts[0].includes('/assets/'), html);
    let brotli = 0;
    for (const src of scripts) {
      const res = await fetch(new URL(src, CUSTOMER_URL), { headers: { 'Accept-Encoding': 'br' } });
      assert.equal(res.headers.get('content-encoding'), 'br', src);
      assert.match(res.headers.get('cache-control'), /immutable/, src);
      brotli += Number(res.headers.get('content-length'));
      await res.body?.cancel();
    }
    assert.ok(brotli > 0 && brotli <= 100 * 1024, `first screen JS: ${brotli} bytes brotli`);
    const manifest = await (await fetch(`${CUSTOMER_URL}manifest.webmanifest`)).json();
    assert.deepEqual([manifest.start_url, manifest.scope], ['/app/customer/', '/app/customer/']);
    // its own manifest only (not the driver's too), so it installs as "LPG Orders"
    assert.deepEqual([...html.matchAll(/<link rel="manifest" href="([^"]+)"/g)].map((m) => m[1]), ['/app/customer/manifest.webmanifest']);
  });

  it('a driver signing in here is told the app is for customers, with a link to /app/', async () => {
    const { page } = phone;
    await page.goto(CUSTOMER_URL);
    await page.waitForSelector('[data-testid=sign-in]');
    await axe(page, 'sign in');
    await shot(page, '80-customer-sign-in');
    await page.fill('#email', DRIVER.email);
    await page.fill('#password', DRIVER.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=not-customer]');
    assert.equal(await page.getAttribute('a:text-is("Open the driver app")', 'href'), '/app/');
    await axe(page, 'not a customer');
    await page.click('button:text-is("Sign in as a customer")');
    await page.waitForSelector('[data-testid=sign-in]');
    // the staff token was not kept
    assert.equal(await page.evaluate(() => localStorage.getItem('lpg-customer.tokens')), null);
  });

  it('the invite e-mail link opens the app: the contact sets a password and is signed in', async () => {
    const { page } = phone;
    const link = new URL(fx.link);
    assert.equal(`${link.pathname}${link.hash.replace(/=.*/, '=')}`, '/app/customer/#/invite?token=');
    await page.goto(`${CUSTOMER_URL}${link.hash}`);
    await page.waitForSelector('[data-testid=invite]');
    // the personal-data notice, before any password is set
    assert.match(await page.textContent('[data-testid=privacy-notice]'), /PDPA.*correct or remove/s);
    await axe(page, 'accept invite');
    await page.fill('#invite-name', 'Mr Koh');
    await page.fill('#invite-password', CONTACT_PASSWORD);
    await page.fill('#invite-password-again', `${CONTACT_PASSWORD}x`);
    assert.equal(await page.isDisabled('button[type=submit]'), true); // the two differ
    await page.fill('#invite-password-again', CONTACT_PASSWORD);
    await shot(page, '81-customer-invite');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=home]');
    assert.equal(await page.textContent('#page-title'), fx.customer.name);
    await page.waitForSelector('[data-testid=home-balance]');
    // the /app/ service worker, registered from this app too (installable, opens offline)
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    assert.equal(new URL(scope).pathname, '/app/');
    await axe(page, 'home');
    await shot(page, '82-customer-home');
    contact = await token({ email: fx.email, password: CONTACT_PASSWORD });
    before_.account = await api(contact, '/api/customer/account/');
    before_.cylinders = await api(contact, '/api/customer/cylinders/');
    assert.equal(await page.textContent('[data-testid=home-balance]'), sgd(before_.account.balance_due));
    // the link works once
    const again = await fetch(`${BASE_URL}/api/customer/accept-invite/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: new URLSearchParams(link.hash.split('?')[1]).get('token'), password: CONTACT_PASSWORD }) });
    assert.equal(again.status, 410);
  });

  it('orders two cylinders for today: the price with GST and the deposit, a double tap makes one order', async () => {
    const { page } = phone;
    await page.click('[data-testid=order-gas]');
    await page.waitForSelector('[data-testid=order]');
    const type = `[data-testid=order-type-${fx.gas.id}]`;
    await page.click(`${type} [aria-label$="plus 1"]`);
    await page.click(`${type} [aria-label$="plus 1"]`);
    assert.equal(await page.inputValue('#order-day'), fx.today);
    assert.match(await page.textContent('[data-testid=window-rule]'), /window already over today/);
    await page.fill('#order-notes', 'Back door, ask for Mr Koh');
    await page.waitForSelector(`[data-testid=quote-line-${fx.gas.id}]`);
    const quote = await api(contact, '/api/customer/quote/', { lines: [{ cylinder_type: fx.gas.id, quantity: 2 }], scheduled_for: fx.today });
    assert.equal(await page.textContent('[data-testid=quote-total]'), sgd(quote.total));
    assert.equal(await page.textContent('[data-testid=quote-deposit]'), sgd(quote.deposit_total));
    assert.match(await page.textContent(`[data-testid=quote-line-${fx.gas.id}]`), /each incl\. GST/);
    await axe(page, 'order');
    await shot(page, '83-customer-order');
    await page.click('button:text-is("Review order")');
    await page.waitForSelector('[data-testid=confirm-dialog]');
    assert.match(await page.textContent('[data-testid=confirm-totals]'), new RegExp(sgd(quote.total).replace('.', '\\.')));
    await axe(page, 'order confirm');
    await shot(page, '84-customer-confirm');
    // a double tap: the second tap while the first is on its way
    await page.locator('[data-testid=confirm-dialog] button:text-is("Place order")').dblclick();
    await page.waitForSelector('[data-testid=order-detail] [data-testid=order]');
    orderId = Number(/#\/orders\/(\d+)/.exec(page.url())[1]);
    const today = rows(await api(sup, `/api/orders/?customer=${fx.customer.id}&scheduled_for=${fx.today}`)).filter((o) => o.status !== 'CANCELLED');
    assert.deepEqual(today.map((o) => o.id), [orderId], 'one order for the double tap');
    assert.deepEqual(today[0].lines.map((l) => [l.cylinder_type, l.quantity]), [[fx.gas.id, 2]]);
    assert.equal(today[0].source, 'CUSTOMER');
    assert.equal(await page.getAttribute('[data-testid=order]', 'data-state'), 'received');
    await axe(page, 'order detail');
    await shot(page, '85-customer-order-received');
  });

  it('cancels an order for tomorrow while it is not planned', async () => {
    const { page } = phone;
    await page.goto(`${CUSTOMER_URL}#/order`);
    await page.waitForSelector('[data-testid=order]');
    const tomorrow = new Date(`${fx.today}T00:00:00Z`);
    tomorrow.setUTCDate(tomorrow.getUTCDate() + 1);
    await page.fill('#order-day', tomorrow.toISOString().slice(0, 10));
    await page.click(`[data-testid=order-type-${fx.gas.id}] [aria-label$="plus 1"]`);
    await page.check('input[name=window][value=morning]');
    await page.waitForSelector(`[data-testid=quote-line-${fx.gas.id}]`);
    await page.click('button:text-is("Review order")');
    await page.click('[data-testid=confirm-dialog] button:text-is("Place order")');
    await page.waitForSelector('[data-testid=order-detail] [data-testid=order]');
    const id = Number(/#\/orders\/(\d+)/.exec(page.url())[1]);
    assert.notEqual(id, orderId);
    await page.click('button:text-is("Cancel this order")');
    await page.fill('#cancel-reason', 'Ordered twice');
    await axe(page, 'cancel');
    await page.click('button:text-is("Cancel order")');
    await page.waitForSelector('[data-testid=order][data-state=cancelled]');
    assert.equal((await api(sup, `/api/orders/${id}/`)).status, 'CANCELLED');
  });

  it('the dispatcher plans the day: the contact sees "planned" with the arrival window', async () => {
    await api(sup, '/api/dispatch/plans/', { date: fx.today });
    const board = await api(sup, `/api/dispatch/board/?date=${fx.today}`);
    const on = board.trucks.find((t) => (t.route?.stops ?? []).some((s) => s.order === orderId));
    assert.ok(on, `the order is on a truck: ${JSON.stringify(board.unassigned.find((o) => o.order === orderId))}`);
    truck = { id: on.vehicle.id, driver: fx.trucks.find((t) => t.id === on.vehicle.id)?.driver };
    assert.ok(truck.driver, `a driver drives truck ${truck.id}`);
    const { page } = phone;
    await page.goto(`${CUSTOMER_URL}#/`);
    const card = page.locator(`[data-testid=order-card][data-order="${orderId}"]`);
    await card.waitFor();
    // "on the way" once the truck is out (the demo loaded it this morning)
    const state = await card.getAttribute('data-state');
    assert.ok(['planned', 'on_the_way'].includes(state), state);
    const stop = (board.trucks.find((t) => t.vehicle.id === truck.id).route.stops).find((s) => s.order === orderId);
    if (stop.eta) assert.match(await card.locator('[data-testid=tracking-sentence]').textContent(), /(Planned|On the way): arriving between \d{2}:\d{2} and \d{2}:\d{2}\./);
    // planned: no cancel from the app any more
    await page.goto(`${CUSTOMER_URL}#/orders/${orderId}`);
    await page.waitForSelector(`[data-testid=order][data-state=${state}]`);
    assert.equal(await page.locator('button:text-is("Cancel this order")').count(), 0);
    await shot(page, '86-customer-planned');
  });

  it('the driver delivers the stop on the driver app (on credit)', async () => {
    fixture('customer_app_load.py', { E2E_VEHICLE: String(truck.id), E2E_TYPE: String(fx.gas.id), E2E_QTY: '2' });
    const driver = await newPhone(browser);
    const { page } = driver;
    await page.goto(APP_URL);
    await page.fill('#email', truck.driver);
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=vehicle-label]');
    const stop = page.locator('[data-testid=stop]', { hasText: fx.customer.name });
    await waitFor(async () => (await stop.count()) > 0 || (await page.reload(), false), { timeout: 20000, interval: 1000, message: `${fx.customer.name} on ${truck.driver}'s day` });
    await stop.first().click();
    await page.waitForSelector(`[data-testid=delivery-customer]:has-text("${fx.customer.name}")`);
    await page.waitForSelector(`[data-testid=delivery-type-${fx.gas.id}]`);
    for (const other of await page.locator('[data-testid^=delivery-type-]').all()) {
      const full = (await other.getAttribute('data-testid')) === `delivery-type-${fx.gas.id}` ? '2' : '0';
      await other.locator('input[aria-label^="Fulls delivered"]').fill(full);
      await other.locator('input[aria-label^="Empties returned"]').fill('0');
    }
    await page.click('[data-payment=CREDIT]');
    await page.click('button:text-is("Review")');
    await page.click('[data-testid=confirm-dialog] button:text-is("Confirm")');
    await page.waitForSelector('[data-testid=event-status]:has-text("applied")', { timeout: 30000 });
    invoiceNumber = (await page.textContent('[data-testid=doc-number]')).trim();
    assert.match(invoiceNumber, /^INV-\d{4}-\d+/);
    await shot(page, '87-driver-delivered');
    await driver.context.close();
  });

  it('the contact sees "delivered" and downloads the tax invoice PDF', async () => {
    const { page } = phone;
    await page.goto(`${CUSTOMER_URL}#/`);
    await page.reload();
    const card = page.locator(`[data-testid=order-card][data-order="${orderId}"]`);
    await card.waitFor();
    assert.equal(await card.getAttribute('data-state'), 'delivered');
    assert.equal(await card.locator('[data-testid=tracking-sentence]').textContent(), `Delivered. Tax invoice ${invoiceNumber}.`);
    await axe(page, 'home, delivered');
    await shot(page, '88-customer-delivered');
    await card.locator('a:text-is("Details")').click();
    await page.waitForSelector('[data-testid=order][data-state=delivered]');
    const pdf = await download(page, () => page.click('[data-testid=order-invoice-pdf]'));
    assert.equal(pdf.name, `${invoiceNumber}.pdf`);
    assert.equal(pdf.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  });

  it('my account: the new balance, the deposit held, a PayNow QR for the unpaid invoice, statements', async () => {
    const { page } = phone;
    await page.click('nav a:text-is("Account")');
    await page.waitForSelector('[data-testid=account-balance]');
    const invoice = rows(await api(contact, '/api/customer/invoices/')).find((i) => i.number === invoiceNumber);
    assert.ok(invoice && cents(invoice.amount_due) > 0, 'the credit invoice is unpaid');
    const balance = (cents(before_.account.balance_due) + cents(invoice.amount_due)) / 100;
    assert.equal(await page.textContent('[data-testid=account-balance]'), sgd(balance));

    const row = page.locator(`[data-testid=held-${fx.gas.id}]`);
    await row.waitFor();
    const was = before_.cylinders.types.find((t) => t.cylinder_type === fx.gas.id);
    assert.equal(Number(await row.getAttribute('data-held')), (was?.held ?? 0) + 2);
    const now = await api(contact, '/api/customer/cylinders/');
    assert.ok(cents(now.deposit_total) > cents(before_.cylinders.deposit_total), 'a deposit is charged for the two cylinders kept');
    assert.equal(cents(now.deposit_total) - cents(before_.cylinders.deposit_total), cents(invoice.deposit_total));
    assert.equal(await page.textContent('[data-testid=deposit-total]'), `Deposits held: ${sgd(now.deposit_total)}`);

    const item = page.locator(`[data-testid=invoice][data-number="${invoiceNumber}"]`);
    const qr = item.locator('[data-testid=paynow-qr]');
    await qr.locator('svg').waitFor();
    assert.equal(await qr.getAttribute('data-payload'), invoice.paynow_payload);
    assert.match(invoice.paynow_payload, /^000201.*SG\.PAYNOW/);
    assert.match(await qr.getAttribute('aria-label'), new RegExp(`${sgd(invoice.amount_due).replace('.', '\\.')} for invoice ${invoiceNumber}`));
    const box = await qr.boundingBox();
    assert.ok(box.width >= 150, `the QR is big enough to scan (${box.width}px)`);
    await axe(page, 'account');
    await item.scrollIntoViewIfNeeded();
    await shot(page, '89-customer-account-qr');
    const fromList = await download(page, () => item.locator('[data-testid=invoice-pdf]').click());
    assert.equal(fromList.bytes.subarray(0, 5).toString('latin1'), '%PDF-');

    // a statement of the last months is a PDF; over 370 days is the server's error on "to"
    const statement = await download(page, () => page.click('[data-testid=statement-pdf]'));
    assert.equal(statement.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    await page.fill('#statement-from', '2024-01-01');
    await page.click('[data-testid=statement-pdf]');
    const problem = page.locator('[data-testid=statement-problem]');
    await problem.waitFor();
    assert.match(await problem.textContent(), /To: .*370/);
    await axe(page, 'account, statement error');
    await problem.scrollIntoViewIfNeeded();
    await shot(page, '90-customer-statement-error');
  });

  it('switches its order e-mails off and downloads its own data', async () => {
    const { page } = phone;
    const box = page.locator('[data-testid=order-emails]');
    assert.equal(await box.isChecked(), true);
    await box.uncheck();
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid=order-emails]');
      return el && !el.checked && !el.disabled;
    });
    const me = await (await fetch(`${BASE_URL}/api/customer/me/`, { headers: { Authorization: `Bearer ${await page.evaluate(() => JSON.parse(localStorage.getItem('lpg-customer.tokens')).access)}` } })).json();
    assert.equal(me.notify_orders, false, 'the switch is stored on the server');
    const mine = await download(page, () => page.click('[data-testid=export-data]'));
    const data = JSON.parse(mine.bytes.toString('utf8'));
    assert.match(mine.name, /^my-data-\d{8}\.json$/);
    assert.equal(data.contact.email, me.email);
    assert.ok(JSON.stringify(data).includes(invoiceNumber), 'the export holds the invoice');
    await axe(page, 'account, your details');
  });

  it('signs out', async () => {
    const { page } = phone;
    await page.click('[data-testid=sign-out]');
    await page.waitForSelector('[data-testid=sign-in]');
    assert.equal(await page.evaluate(() => localStorage.getItem('lpg-customer.tokens')), null);
  });
});
