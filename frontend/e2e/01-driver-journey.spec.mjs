// The driver's day, end to end against a real server: sign in, load at the
// depot through the confirmation dialog, deliver offline with a PROVISIONAL
// receipt, survive a reload offline, sync once back online (real DIST/INV
// numbers, server stock moved exactly once), and see a rejected event.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEscPos } from './lib/escpos-decode.mjs';
import { APP_URL, ServerApi, count, launch, login, newPhone, printedBytes, shot, waitFor, waitForServiceWorker } from './lib/harness.mjs';

describe('driver journey', () => {
  let browser, context, page, server;
  let typeId; // the cylinder type used throughout
  const collected = 7;
  const delivered = 2;
  let stockAfterLoad;
  let offlineEventId;

  before(async () => {
    server = await new ServerApi().login();
    browser = await launch();
    ({ context, page } = await newPhone(browser));
  });
  after(async () => {
    await browser?.close();
  });

  it('signs in as the demo driver and shows my day', async () => {
    await login(page);
    await page.waitForSelector('[data-testid=online-badge]:has-text("Online")');
    await page.locator('[data-testid=stock-table]').or(page.getByText('No cylinders on the vehicle')).first().waitFor();
    await shot(page, '02-home');
    assert.equal(await count(page, 'queued-count'), 0);
    // installable: manifest under /app/ and a service worker in control
    const manifest = await (await fetch(`${APP_URL}manifest.webmanifest`)).json();
    assert.equal(manifest.start_url, '/app/');
    assert.equal(manifest.scope, '/app/');
    assert.ok(manifest.icons.some((i) => i.sizes === '512x512'));
    await waitForServiceWorker(page);
  });

  it('pairs the (fake) Bluetooth printer and prints a test page', async () => {
    await page.goto(`${APP_URL}#/printer`);
    await page.click('button:text-is("Pair printer")');
    await page.waitForSelector('text=Paired: FakePrinter 58mm');
    await page.click('button:text-is("Print test page")');
    await page.waitForSelector('text=Test page sent.');
    await shot(page, '08-printer');
    const { bytes, chunks } = await printedBytes(page);
    const out = decodeEscPos(bytes);
    assert.match(out.text, /PRINTER TEST/);
    assert.equal(out.cut, true);
    assert.ok(chunks.every((n) => n <= 180), `chunks of at most 180 bytes, got ${chunks}`);
  });

  it('records a distribution through the confirmation dialog and the stock changes', async () => {
    await page.goto(`${APP_URL}#/distribution`);
    await page.waitForSelector('#cylinder-type option', { state: 'attached' });
    typeId = Number(await page.inputValue('#cylinder-type'));
    const before = (await server.vehicleStock())[typeId] ?? { full: 0, empty: 0 };

    await page.click('[data-movement=COLLECTION]');
    await page.click('[aria-label="Quantity plus 5"]'); // 1 -> 6
    await page.click('button:text-is("Add line")');
    await page.locator('[data-testid=line] [aria-label$="plus 1"]').first().click(); // 6 -> 7
    assert.equal(await page.textContent('[data-testid=total-COLLECTION]'), String(collected));
    await shot(page, '03-distribution');

    // Back leaves nothing recorded
    await page.click('button:text-is("Review")');
    await page.waitForSelector('[data-testid=confirm-dialog]');
    await shot(page, '04-confirm-distribution');
    await page.click('[data-testid=confirm-dialog] button:text-is("Back")');
    await page.waitForSelector('[data-testid=confirm-dialog]', { state: 'detached' });
    assert.deepEqual((await server.vehicleStock())[typeId] ?? { full: 0, empty: 0 }, before);
    assert.equal(await count(page, 'queued-count'), 0);

    await page.click('button:text-is("Review")');
    await page.click('[data-testid=confirm-dialog] button:text-is("Confirm")');
    await page.waitForSelector('[data-testid=event-status]:has-text("applied")');
    const number = await page.textContent('[data-testid=doc-number]');
    assert.match(number, /^DIST-/);
    stockAfterLoad = (await server.vehicleStock())[typeId];
    assert.equal(stockAfterLoad.full, before.full + collected);

    await page.goto(`${APP_URL}#/`);
    await waitFor(async () => Number(await page.getAttribute(`[data-testid=stock-row-${typeId}]`, 'data-full')) === stockAfterLoad.full, { message: 'home stock to show the load' });
  });

  it('records a delivery offline, queued with a PROVISIONAL receipt', async () => {
    // Online once: remember customers for offline search; the shell must be cached.
    await page.goto(`${APP_URL}#/delivery`);
    await page.click('button:text-is("Search")');
    await page.waitForSelector('[data-testid=customer-result]');
    await waitForServiceWorker(page);

    await context.setOffline(true);
    await page.waitForSelector('[data-testid=online-badge]:has-text("Offline")');
    await page.goto(`${APP_URL}#/`).catch(() => undefined); // same document: hash change only
    await page.goto(`${APP_URL}#/delivery`).catch(() => undefined);
    await page.click('button:text-is("Search")');
    await page.waitForSelector('text=/Offline: searching the customer list/');
    await page.locator('[data-testid=customer-result]').first().click();
    await page.waitForSelector(`[data-testid=delivery-type-${typeId}]`);
    const fulls = page.locator(`[data-testid=delivery-type-${typeId}] [aria-label^="Fulls delivered"][aria-label$="plus 1"]`);
    const current = Number(await page.locator(`[data-testid=delivery-type-${typeId}] input[aria-label^="Fulls delivered"]`).inputValue());
    for (let i = current; i < delivered; i++) await fulls.click();
    // only this type, so the server's stock check is about one number
    for (const other of await page.locator('[data-testid^=delivery-type-]').all()) {
      if ((await other.getAttribute('data-testid')) === `delivery-type-${typeId}`) continue;
      await other.locator('input[aria-label^="Fulls delivered"]').fill('0');
      await other.locator('input[aria-label^="Empties returned"]').fill('0');
    }
    await page.locator(`[data-testid=delivery-type-${typeId}] input[aria-label^="Empties returned"]`).fill('0');
    await page.click('[data-payment=CASH]');
    await shot(page, '05-delivery');
    await page.click('button:text-is("Review")');
    await page.waitForSelector('[data-testid=confirm-dialog]');
    await shot(page, '05b-confirm-delivery');
    await page.click('[data-testid=confirm-dialog] button:text-is("Confirm")');
    await page.waitForSelector('[data-testid=event-status]:has-text("queued")');
    await page.waitForSelector('[data-testid=provisional-ref]');
    offlineEventId = (await page.textContent('text=/Reference [0-9a-f-]{36}/')).replace('Reference ', '').trim();
    assert.equal(await count(page, 'queued-count'), 1);

    await page.click('button:text-is("Print provisional receipt")');
    await page.waitForSelector('text=Printed a PROVISIONAL receipt.');
    await shot(page, '06-event-queued');
    const out = decodeEscPos((await printedBytes(page)).bytes);
    assert.match(out.text, /PROVISIONAL/);
    assert.match(out.text, /PROVISIONAL - NOT A TAX INVOICE/);
    assert.deepEqual(out.qr, [offlineEventId]);
    assert.doesNotMatch(out.text, /INV-/);

    // the server has not seen it
    assert.deepEqual((await server.vehicleStock())[typeId], stockAfterLoad);
  });

  it('reloads while offline: the app still opens and the queue survives', async () => {
    await page.reload();
    await page.waitForSelector('[data-testid=online-badge]:has-text("Offline")');
    assert.equal(await count(page, 'queued-count'), 1);
    // my day shows the queued delivery beside the last known stock
    await page.goto(`${APP_URL}#/`).catch(() => undefined);
    await page.waitForSelector(`[data-testid=stock-row-${typeId}] >> text=(-${delivered} queued)`);
    await shot(page, '07a-home-offline');
    await page.goto(`${APP_URL}#/sync`).catch(() => undefined);
    await page.waitForSelector('[data-testid=queued-event]');
    await shot(page, '07-sync-queued');
    assert.deepEqual((await server.vehicleStock())[typeId], stockAfterLoad);
  });

  it('back online: applied with a real INV number, server stock moved exactly once', async () => {
    await context.setOffline(false);
    await page.waitForSelector('[data-testid=online-badge]:has-text("Online")');
    await waitFor(async () => (await count(page, 'queued-count')) === 0, { message: 'the queue to drain' });
    await page.goto(`${APP_URL}#/event/${offlineEventId}`);
    await page.waitForSelector('[data-testid=event-status]:has-text("applied")');
    const number = await page.textContent('[data-testid=doc-number]');
    assert.match(number, /^INV-\d{4}-\d+/);
    await shot(page, '09-event-applied');

    const afterSync = (await server.vehicleStock())[typeId];
    assert.equal(afterSync.full, stockAfterLoad.full - delivered);

    // Sync again: nothing moves twice
    await page.goto(`${APP_URL}#/sync`);
    await page.click('button:text-is("Sync now")');
    await page.waitForSelector('text=Nothing to send.');
    assert.deepEqual((await server.vehicleStock())[typeId], afterSync);

    // Reprint from history carries the real number
    await page.locator('[data-testid=history-event]', { hasText: number }).locator('button:text-is("Reprint")').click();
    await page.waitForSelector('text=Receipt printed.');
    const out = decodeEscPos((await printedBytes(page)).bytes);
    assert.match(out.text, /TAX INVOICE/);
    assert.ok(out.text.includes(number));
    assert.deepEqual(out.qr, [number]);
  });

  it('shows a rejected event with the server reason', async () => {
    await context.setOffline(true);
    await page.goto(`${APP_URL}#/distribution`).catch(() => undefined);
    await page.waitForSelector('#cylinder-type option', { state: 'attached' });
    await page.selectOption('#cylinder-type', String(typeId));
    await page.click('[data-movement=EMPTY_RETURN]');
    await page.fill('#quantity', '999'); // far more empties than the vehicle has
    await page.click('button:text-is("Add line")');
    await page.click('button:text-is("Review")');
    await page.click('[data-testid=confirm-dialog] button:text-is("Confirm")');
    await page.waitForSelector('[data-testid=event-status]:has-text("queued")');
    await context.setOffline(false);
    await page.waitForSelector('[data-testid=event-status]:has-text("rejected")', { timeout: 20000 });
    const reason = await page.textContent('[data-testid=reject-reason]');
    assert.ok(reason && reason.trim().length > 0, 'a reason is shown');
    assert.equal(await count(page, 'rejected-count'), 1);
    await page.goto(`${APP_URL}#/sync`);
    await page.waitForSelector('[data-testid=rejected-event]');
    await shot(page, '10-sync-rejected');
    assert.equal(await count(page, 'queued-count'), 0);
  });
});
