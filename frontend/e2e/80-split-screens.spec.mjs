// Issue 23: the first screen loads only its own JavaScript; the depot,
// delivery (signature pad, PayNow QR), serial scanner, sync and printer
// screens are chunks of their own, loaded when first opened. The service
// worker precaches every chunk (and the ZXing .wasm), so after one load with
// the network a phone that never opened those screens opens them OFFLINE. A
// chunk that fails to load shows a reload offer, not a blank page. A customer
// contact signing in here is sent to the customer app.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { APP_URL, BASE_URL, DRIVER, ServerApi, launch, login, newPhone, shot, waitFor, waitForServiceWorker } from './lib/harness.mjs';

const LAZY = /\/assets\/(delivery-screen|distribution-screen|printer-screen|sync-screen|event-screen|serial-entry|print-event|receipt)-[^/]+\.js$/;
const SKU = 'LPG45S';
const CUSTOMER = 'Ah Hock Zi Char';

/** Runs in the page: a camera filming a blank canvas and a BarcodeDetector that "reads" window.__nextScan. */
function fakeScanner() {
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 240;
  let tick = 0;
  setInterval(() => {
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = tick++ % 2 ? '#fefefe' : '#fdfdfd';
    ctx.fillRect(0, 0, 320, 240);
  }, 100);
  const getUserMedia = async () => canvas.captureStream(10);
  if (navigator.mediaDevices) navigator.mediaDevices.getUserMedia = getUserMedia;
  else Object.defineProperty(Navigator.prototype, 'mediaDevices', { configurable: true, get: () => ({ getUserMedia }) });
  window.BarcodeDetector = class {
    static async getSupportedFormats() {
      return ['code_128', 'qr_code'];
    }
    async detect(source) {
      if (!(source instanceof HTMLVideoElement) || source.readyState < 2) return [];
      const text = window.__nextScan;
      if (!text) return [];
      window.__nextScan = undefined;
      return [{ rawValue: text, format: 'code_128' }];
    }
  };
}

/** A phone without a service worker: every request goes through page.route(). */
async function plainPhone(browser) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, serviceWorkers: 'block' });
  const page = await context.newPage();
  return { context, page };
}

describe('screens by route: loaded when opened, precached for offline', () => {
  let browser, phone, type;
  const requests = [];

  before(async () => {
    const server = await new ServerApi().login();
    const types = await server.get('/api/cylinder-types/');
    type = (Array.isArray(types) ? types : types.results).find((t) => t.sku === SKU);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('the first screen (sign-in, My day) fetches none of the other screens', async () => {
    phone = await newPhone(browser);
    await phone.context.addInitScript(fakeScanner);
    await phone.context.grantPermissions(['camera']).catch(() => undefined);
    phone.page.on('request', (r) => requests.push(r.url()));
    await login(phone.page);
    await phone.page.waitForSelector('[data-testid=queued-count]');
    assert.deepEqual(requests.filter((u) => LAZY.test(u)), [], 'no screen chunk before it is opened');
  });

  it('the service worker precaches every screen chunk and the barcode reader', async () => {
    const { page } = phone;
    await waitForServiceWorker(page);
    const cached = await page.evaluate(async () => {
      const urls = [];
      for (const name of await caches.keys()) for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
      return urls;
    });
    for (const chunk of ['delivery-screen', 'distribution-screen', 'printer-screen', 'sync-screen', 'event-screen', 'receipt', 'sync-service']) {
      assert.ok(cached.some((u) => new RegExp(`^/app/assets/${chunk}-[^/]+\\.js$`).test(u)), `${chunk} chunk precached: ${cached.join(' ')}`);
    }
    assert.ok(cached.some((u) => /^\/app\/assets\/zxing_reader-[^/]+\.wasm$/.test(u)), 'the ZXing .wasm precached');
    assert.ok(!cached.some((u) => u.includes('/.vite/')), 'the build manifest is not precached');
    // the customer list (offline search) is on the phone
    await waitFor(
      () =>
        page.evaluate(
          () =>
            new Promise((resolve) => {
              const open = indexedDB.open('lpg-driver');
              open.onsuccess = () => {
                const get = open.result.transaction('cache').objectStore('cache').get('customer-prices');
                get.onsuccess = () => resolve((get.result?.data?.customers?.length ?? 0) > 0);
                get.onerror = () => resolve(false);
              };
              open.onerror = () => resolve(false);
            }),
        ),
      { message: 'the price book on the phone' },
    );
  });

  it('offline, after a fresh start: printer, delivery with signature pad and scanner, sync, depot', async () => {
    const { page, context } = phone;
    await context.setOffline(true);
    await page.reload(); // a new document: nothing of the app left in memory, everything from the precache
    await page.waitForSelector('[data-testid=online-badge]:has-text("Offline")');

    await page.click('nav a[href="#/printer"]');
    await page.waitForSelector('[data-testid=printer-name]');
    await shot(page, '80-offline-printer');

    await page.click('nav a[href="#/delivery"]');
    await page.fill('#customer-search', 'Ah Hock');
    await page.click('button:text-is("Search")');
    await page.locator('[data-testid=customer-result]', { hasText: CUSTOMER }).click();
    // the signature pad draws
    const pad = page.locator('[data-testid=signature]');
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    await page.mouse.move(box.x + 20, box.y + 60);
    await page.mouse.down();
    for (let i = 1; i <= 15; i++) await page.mouse.move(box.x + 20 + i * 12, box.y + 60 - Math.sin(i / 3) * 30, { steps: 2 });
    await page.mouse.up();
    await page.waitForSelector('[data-testid=signature]:not([data-empty])');
    // the serial scanner opens and reads, for the serialised type
    if (type) {
      const card = page.locator(`[data-testid=delivery-type-${type.id}]`);
      await card.locator('input[aria-label^="Fulls delivered"]').fill('1');
      const entry = `serials-delivered-${type.id}`;
      await page.evaluate(() => (window.__nextScan = 'SG45-E2E-80'));
      await page.click(`[data-testid=${entry}-scan]`);
      await page.waitForSelector('[data-testid=scanner-message]:has-text("SG45-E2E-80 added")');
      await shot(page, '80-offline-scanner');
      await page.click('[data-testid=scanner-close]');
    }
    await shot(page, '80-offline-delivery');

    await page.click('nav a[href="#/sync"]');
    await page.waitForSelector('[data-testid=last-sync]');
    await page.click('nav a[href="#/distribution"]');
    await page.waitForSelector('#cylinder-type', { state: 'attached' });
    assert.equal(await page.locator('[data-testid=screen-error]').count(), 0, 'no screen failed to load');
    await context.setOffline(false);
    await context.close();
  });

  it('a screen whose chunk cannot load offers a reload, which brings it back', async () => {
    const { context, page } = await plainPhone(browser);
    await login(page);
    let fail = true;
    await page.route(/\/assets\/printer-screen-[^/]+\.js$/, (route) => (fail ? route.abort('internetdisconnected') : route.continue()));
    await page.click('nav a[href="#/printer"]');
    const error = page.locator('[data-testid=screen-error]');
    await error.waitFor();
    assert.match(await error.textContent(), /could not be loaded/);
    assert.equal(await error.getAttribute('role'), 'alert');
    await shot(page, '81-chunk-failed');
    // the other screens still open
    await page.click('nav a[href="#/"]');
    await page.waitForSelector('[data-testid=vehicle-label]');
    await page.click('nav a[href="#/printer"]');
    await error.waitFor();
    fail = false;
    await Promise.all([page.waitForEvent('load'), error.locator('button:text-is("Reload")').click()]);
    // this phone has no fake Bluetooth: the printer screen says so
    await page.waitForSelector('main h2:text-is("Bluetooth printer")');
    assert.equal(await error.count(), 0);
    await context.close();
  });

  it('a slow screen shows a short loading status, announced to screen readers', async () => {
    const { context, page } = await plainPhone(browser);
    await login(page);
    let release;
    const held = new Promise((r) => (release = r));
    await page.route(/\/assets\/sync-screen-[^/]+\.js$/, async (route) => {
      await held;
      await route.continue();
    });
    await page.click('nav a[href="#/sync"]');
    const status = page.locator('[data-testid=screen-loading][role=status]');
    await status.waitFor();
    await page.waitForSelector('[data-testid=screen-loading]:has-text("Loading")');
    release();
    await status.waitFor({ state: 'detached' });
    await context.close();
  });

  it('a customer contact signing in is sent to the customer app', async () => {
    const { context, page } = await plainPhone(browser);
    await page.route(`${BASE_URL}/api/me/`, async (route) => {
      const res = await route.fetch();
      const me = await res.json();
      await route.fulfill({ response: res, json: { ...me, role: 'customer', vehicle: null, depot: null } });
    });
    await page.goto(APP_URL);
    await page.fill('#email', DRIVER.email);
    await page.fill('#password', DRIVER.password);
    await Promise.all([page.waitForURL(`${APP_URL}customer/`), page.click('button[type=submit]')]);
    assert.equal(await page.locator('[data-testid=vehicle-label]').count(), 0);
    await context.close();
  });
});
