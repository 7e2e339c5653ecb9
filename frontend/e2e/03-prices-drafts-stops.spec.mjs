// Issue 15 (driver side) against a real server: a contract customer's
// delivery where the phone's quote = the server's invoice = the printed
// receipt; a rejected distribution reopened as a draft, edited and accepted;
// a household stop before 07:00 says why Review is greyed; a customer never
// seen on this phone is found offline; the main bundle is served compressed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { decodeEscPos } from './lib/escpos-decode.mjs';
import { APP_URL, BASE_URL, ServerApi, count, launch, login, newPhone, printedBytes, shot, waitFor, waitForServiceWorker } from './lib/harness.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A contract price and a household order, written by Django itself (e2e/fixtures/pwa_journeys.py). */
function setUpServerData() {
  if (!process.env.DATABASE_URL) throw new Error('This spec needs the e2e database: run scripts/e2e.sh (DATABASE_URL is not set).');
  const run = spawnSync(`${ROOT}.venv/bin/python`, ['manage.py', 'shell'], {
    cwd: ROOT,
    input: readFixture(),
    encoding: 'utf8',
    env: process.env,
  });
  if (run.status !== 0) throw new Error(`fixture failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}
const readFixture = () => spawnSync('cat', [fileURLToPath(new URL('./fixtures/pwa_journeys.py', import.meta.url))], { encoding: 'utf8' }).stdout;

async function apiPost(server, path, body) {
  const res = await fetch(`${BASE_URL}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.access}`, 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** Sets the quantities of one cylinder type on the delivery screen and zeroes the others. */
async function setDeliveryQuantities(page, typeId, full, empty) {
  await page.waitForSelector(`[data-testid=delivery-type-${typeId}]`);
  for (const card of await page.locator('[data-testid^=delivery-type-]').all()) {
    const mine = (await card.getAttribute('data-testid')) === `delivery-type-${typeId}`;
    await card.locator('input[aria-label^="Fulls delivered"]').fill(String(mine ? full : 0));
    await card.locator('input[aria-label^="Empties returned"]').fill(String(mine ? empty : 0));
  }
}

// The bundled mock API (E2E_MOCK=1) has no contract prices, drafts or Django fixture: this spec needs the real server.
describe('prices, receipts, drafts and stops', { skip: process.env.E2E_MOCK === '1' && 'needs the real server (scripts/e2e.sh)' }, () => {
  let browser, page, server, fx;

  before(async () => {
    fx = setUpServerData();
    server = await new ServerApi().login();
    // fulls on the truck for the deliveries below, through the API (with its Idempotency-Key)
    await apiPost(server, '/api/distributions/', { vehicle: server.vehicleId, items: [{ depot: server.me.depot?.id ?? server.me.depot, cylinder_type: fx.gas, quantity: 9, movement_type: 'COLLECTION' }] });
    browser = await launch();
    ({ page } = await newPhone(browser));
    await login(page);
    await waitForServiceWorker(page);
  });
  after(async () => {
    await browser?.close();
  });

  it('contract price: the quote at the door = the invoice = the printed receipt', async () => {
    await page.goto(`${APP_URL}#/printer`);
    await page.click('button:text-is("Pair printer")');
    await page.waitForSelector('text=Paired: FakePrinter 58mm');
    await page.goto(`${APP_URL}#/delivery`);
    await page.fill('#customer-search', 'Ah Hock');
    await page.click('button:text-is("Search")');
    await page.locator('[data-testid=customer-result]', { hasText: 'Ah Hock Zi Char' }).click();
    await setDeliveryQuantities(page, fx.gas, 5, 2);
    await page.waitForSelector(`[data-testid=unit-price-${fx.gas}]:has-text("21.50 (contract)")`);
    // the phone knows the customer's cylinders and deposits: the quote includes the deposit the server will charge
    await page.waitForSelector('[data-testid=delivery-preview][data-deposits-known]');
    const quoted = (await page.textContent('[data-testid=preview-total]')).replace('SGD', '').trim();
    assert.match(await page.textContent('[data-testid=delivery-preview]'), /incl\. GST 9% 9\.68/); // 5 x 21.50 = 107.50 + GST 9.68 = 117.18; the list price would say 136.20
    // a credit-terms customer may be invoiced on account
    assert.equal(await page.locator('[data-payment=CREDIT]').count(), 1);
    await page.click('[data-payment=CASH]');
    await shot(page, '11-contract-delivery');
    await page.click('button:text-is("Review")');
    await page.click('[data-testid=confirm-dialog] button:text-is("Confirm")');
    await page.waitForSelector('[data-testid=event-status]:has-text("applied")');
    const number = (await page.textContent('[data-testid=doc-number]')).trim();

    const invoices = await server.get(`/api/invoices/?customer=${fx.contract}`);
    const summary = (Array.isArray(invoices) ? invoices : invoices.results).find((i) => i.number === number);
    const invoice = await server.get(`/api/invoices/${summary.id}/`);
    assert.equal(invoice.total, quoted);
    assert.equal(invoice.subtotal, '107.50');
    assert.equal(invoice.gst_amount, '9.68');
    // cylinder deposits (issue 13) come on top of the GST base, never inside it
    assert.equal((Number(invoice.subtotal) + Number(invoice.gst_amount) + Number(invoice.deposit_total ?? 0)).toFixed(2), invoice.total);

    await page.click('button:text-is("Print receipt")');
    await page.waitForSelector('text=Receipt printed.');
    await shot(page, '12-contract-receipt');
    const out = decodeEscPos((await printedBytes(page)).bytes);
    const company = await server.get('/api/company/');
    // 32 columns: long names wrap, so compare without white space
    const squash = (t) => t.replace(/\s+/g, '');
    for (const want of ['TAX INVOICE', number, company.name, company.address, `GST Reg No: ${company.gst_reg_no}`, `Invoice date: ${invoice.issue_date}`, 'Customer: Ah Hock Zi Char']) {
      assert.ok(squash(out.text).includes(squash(want)), `receipt has ${want}`);
    }
    const row = (label) => out.lines.find((l) => l.startsWith(label))?.replace(label, '').trim();
    assert.equal(row('Subtotal'), invoice.subtotal);
    assert.equal(row(`GST ${invoice.gst_rate}%`), invoice.gst_amount);
    assert.equal(row('TOTAL SGD'), invoice.total);
    for (const line of invoice.lines) {
      assert.ok(squash(out.text).includes(squash(line.description)), `line ${line.description}`);
      assert.ok(out.lines.some((l) => l.trim().endsWith(line.amount) && l.includes(' x ')), `amount ${line.amount}`);
    }
    assert.ok(!out.text.includes('PROVISIONAL'));
    // after the delivery the driver is offered the next stop of the day
    await page.waitForSelector('[data-testid=next-stop]');
  });

  it('a rejected distribution reopens as a draft with the reason per line, is edited and accepted', async () => {
    const stock = (await server.vehicleStock())[fx.gas];
    assert.ok(stock.empty >= 2, `the truck has the 2 empties just picked up (${JSON.stringify(stock)})`);
    await page.goto(`${APP_URL}#/distribution`);
    await page.waitForSelector('#cylinder-type option', { state: 'attached' });
    await page.selectOption('#cylinder-type', String(fx.gas));
    await page.click('[data-movement=EMPTY_RETURN]');
    await page.fill('#quantity', '999');
    await page.click('button:text-is("Add line")');
    await page.click('button:text-is("Review")');
    await page.waitForSelector('[data-testid=short-warning]'); // seen before sending
    await shot(page, '13-short-warning');
    await page.click('[data-testid=confirm-dialog] button:text-is("Confirm")');
    await page.waitForSelector('[data-testid=event-status]:has-text("rejected")', { timeout: 20000 });
    const rejectedBefore = await count(page, 'rejected-count');
    assert.ok(rejectedBefore >= 1);

    await page.click('button:text-is("Reopen as draft")');
    await page.waitForSelector('[data-testid=draft-origin]');
    const reason = await page.textContent('[data-testid=line-reason]');
    assert.match(reason, /empty available \d+, requested 999/);
    await shot(page, '14-draft-reopened');
    assert.equal(await count(page, 'rejected-count'), rejectedBefore - 1); // dismissed, kept in history
    await page.locator('[data-testid=line] input[aria-label^="Quantity of line"]').fill('2');
    await page.waitForSelector('[data-testid=line-reason]', { state: 'detached' });
    await page.click('button:text-is("Review")');
    assert.equal(await page.locator('[data-testid=short-warning]').count(), 0);
    await page.click('[data-testid=confirm-dialog] button:text-is("Confirm")');
    await page.waitForSelector('[data-testid=event-status]:has-text("applied")', { timeout: 20000 });
    assert.match(await page.textContent('[data-testid=doc-number]'), /^DIST-/);
    assert.equal((await server.vehicleStock())[fx.gas].empty, stock.empty - 2);
    await page.goto(`${APP_URL}#/sync`);
    await page.waitForSelector('[data-testid=dismissed-note]:has-text("Reopened as a draft")');
  });

  it('a household stop before 07:00 says why Review is greyed, next to the button', async () => {
    const phone = await newPhone(browser);
    // 06:30 Singapore time today (the server's day, so the stop is on my day)
    await phone.context.clock.setFixedTime(new Date(`${fx.today}T06:30:00+08:00`));
    await login(phone.page);
    await phone.page.waitForSelector('[data-testid=stop]');
    await phone.page.locator('[data-testid=stop]', { hasText: 'Mdm Lim Household' }).click();
    await phone.page.waitForSelector('[data-testid=delivery-customer]:has-text("Mdm Lim Household")');
    await phone.page.waitForSelector('[data-testid=stop-notes]:has-text("Gate code 4721")');
    assert.match(await phone.page.getAttribute('[data-testid=stop-phone]', 'href'), /^tel:\+65/);
    assert.match(await phone.page.getAttribute('[data-testid=navigate-google]', 'href'), /google\.com\/maps\/dir\/\?api=1&destination=1\.354920,103\.956030/);
    assert.match(await phone.page.getAttribute('[data-testid=navigate-waze]', 'href'), /waze\.com\/ul\?ll=1\.354920,103\.956030&navigate=yes/);
    assert.equal(await phone.page.locator('[data-payment=CREDIT]').count(), 0); // a cash customer
    assert.equal(await phone.page.isDisabled('button:text-is("Review")'), true);
    const why = await phone.page.textContent('[data-testid=review-disabled-reason]');
    assert.match(why, /Household stop outside 07:00–21:00/);
    await shot(phone.page, '15-household-reason');
    await phone.page.click('[data-testid=household-hours-warning-ack]');
    await phone.page.waitForSelector('[data-testid=review-disabled-reason]', { state: 'detached' });
    assert.equal(await phone.page.isDisabled('button:text-is("Review")'), false);
    await phone.context.close();
  });

  it('offline, a customer never seen on this phone is found in the cached list', async () => {
    const phone = await newPhone(browser);
    await login(phone.page);
    await waitForServiceWorker(phone.page);
    // the whole list is downloaded at start-up, without any search
    await waitFor(
      () => phone.page.evaluate(() => new Promise((resolve) => {
        const open = indexedDB.open('lpg-driver');
        open.onsuccess = () => {
          const get = open.result.transaction('cache').objectStore('cache').get('customer-prices');
          get.onsuccess = () => resolve((get.result?.data?.customers?.length ?? 0) > 20);
          get.onerror = () => resolve(false);
        };
        open.onerror = () => resolve(false);
      })),
      { message: 'the customer list on the phone' },
    );
    await phone.context.setOffline(true);
    await phone.page.goto(`${APP_URL}#/delivery`).catch(() => undefined);
    await phone.page.waitForSelector('[data-testid=online-badge]:has-text("Offline")');
    await phone.page.fill('#customer-search', 'Siti');
    await phone.page.click('button:text-is("Search")');
    await phone.page.waitForSelector('[data-testid=customer-result]:has-text("Siti Household")');
    await shot(phone.page, '16-offline-search');
    await phone.context.close();
  });

  it('serves the main bundle compressed (br, gzip), cached for a year; the shell no-cache', async () => {
    const html = await (await fetch(APP_URL)).text();
    const src = /<script type="module"[^>]+src="([^"]+\/assets\/[^"]+\.js)"/.exec(html)?.[1]; // the entry (named after its build input since the customer entry)
    assert.ok(src, 'main bundle in index.html');
    const url = new URL(src, APP_URL).href;
    for (const [accept, encoding] of [['br, gzip', 'br'], ['gzip', 'gzip']]) {
      const res = await fetch(url, { headers: { 'Accept-Encoding': accept } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-encoding'), encoding);
      assert.match(res.headers.get('cache-control'), /max-age=315360000.*immutable|immutable.*max-age=315360000/);
      assert.match(res.headers.get('vary') ?? '', /Accept-Encoding/i);
      await res.body?.cancel(); // an unread body keeps the connection, and this process, alive for minutes
    }
    const shell = await fetch(`${APP_URL}sw.js`);
    assert.equal(shell.headers.get('cache-control'), 'no-cache');
    await shell.body?.cancel();
  });
});
