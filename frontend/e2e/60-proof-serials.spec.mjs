// Issue 13 (driver side) against a real server: a serialised cylinder loaded
// at the depot with a scanned serial; then, OFFLINE, a delivery of it with the
// serial scanned (an injected BarcodeDetector reading a fake camera stream),
// a drawn signature, a photo from a file and the recipient's name; back online
// it syncs, the signature and photo upload (SHA-256 in the signed event), the
// serial is at the customer, the Django admin shows the proof, and the tax
// invoice PDF says "Received by <name>". Also: without BarcodeDetector the
// ZXing WebAssembly reader starts offline from the precache (our own origin)
// and reads a QR code from the camera.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as qrEncode } from 'uqr';
import { APP_URL, BASE_URL, ServerApi, launch, login, newPhone, shot, waitFor, waitForServiceWorker } from './lib/harness.mjs';

const ADMIN = { email: process.env.E2E_ADMIN_EMAIL ?? 'admin@example.com', password: process.env.E2E_ADMIN_PASSWORD ?? 'demo1234' };
const SKU = 'LPG45S';
const CUSTOMER = 'Ah Hock Zi Char';
const RECIPIENT = 'Mdm Tan Siew Lan';

async function token(creds) {
  const res = await fetch(`${BASE_URL}/api/auth/token/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(creds) });
  if (!res.ok) throw new Error(`login ${creds.email}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()).access;
}

async function getJson(access, path) {
  const res = await fetch(`${BASE_URL}${path}`, { headers: { Authorization: `Bearer ${access}`, Accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}
const rows = (data) => (Array.isArray(data) ? data : data.results);

/** Runs in the page before the app: a camera that films a canvas (optionally a QR code), and, when asked, a BarcodeDetector that "reads" window.__nextScan. */
function fakeDevices({ detector, qr }) {
  const canvas = document.createElement('canvas');
  canvas.width = 640;
  canvas.height = 480;
  let tick = 0;
  const draw = () => {
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, 640, 480);
    if (qr) {
      const n = qr.length;
      const m = Math.floor(360 / n);
      const ox = Math.floor((640 - n * m) / 2);
      const oy = Math.floor((480 - n * m) / 2);
      ctx.fillStyle = '#000';
      for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) if (qr[y][x]) ctx.fillRect(ox + x * m, oy + y * m, m, m);
    }
    ctx.fillStyle = tick++ % 2 ? '#fefefe' : '#fdfdfd'; // a changing pixel: the stream keeps sending frames
    ctx.fillRect(0, 0, 1, 1);
  };
  draw();
  setInterval(draw, 100);
  const getUserMedia = async () => canvas.captureStream(10);
  if (navigator.mediaDevices) navigator.mediaDevices.getUserMedia = getUserMedia;
  else Object.defineProperty(Navigator.prototype, 'mediaDevices', { configurable: true, get: () => ({ getUserMedia }) });
  window.__scans = [];
  if (detector) {
    window.BarcodeDetector = class {
      static async getSupportedFormats() {
        return ['code_128', 'code_39', 'qr_code', 'data_matrix'];
      }
      async detect(source) {
        if (!(source instanceof HTMLVideoElement) || source.readyState < 2) return [];
        const text = window.__nextScan;
        if (!text) return [];
        window.__nextScan = undefined;
        window.__scans.push(text);
        return [{ rawValue: text, format: 'code_128' }];
      }
    };
  } else {
    delete window.BarcodeDetector;
    Object.defineProperty(window, 'BarcodeDetector', { value: undefined, configurable: true });
  }
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

/** The outbox row of an event, read from the phone's IndexedDB. */
async function outboxEvent(page, id) {
  return page.evaluate(
    (id) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('lpg-driver');
        open.onsuccess = () => {
          const req = open.result.transaction('outbox').objectStore('outbox').index('id').get(id);
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        };
        open.onerror = () => reject(open.error);
      }),
    id,
  );
}

// The bundled mock API (E2E_MOCK=1) has no serials, proof or deposits: this spec needs the real server.
describe('serials, proof of delivery, offline', { skip: process.env.E2E_MOCK === '1' && 'needs the real server (scripts/e2e.sh)' }, () => {
  let browser, phone, server, admin, type, serial, eventId, deliveryId, invoiceId;

  before(async () => {
    server = await new ServerApi().login();
    admin = await token(ADMIN);
    type = rows(await getJson(server.access, '/api/cylinder-types/')).find((t) => t.sku === SKU);
    assert.ok(type, `the demo data has the serialised type ${SKU}`);
    assert.equal(type.serialised, true);
    // a full serial at the driver's depot, not due for retest
    const depot = server.me.depot?.id ?? server.me.depot;
    const depotInfo = rows(await getJson(server.access, '/api/depots/')).find((d) => d.id === depot);
    const equipment = rows(await getJson(admin, `/api/equipment/?cylinder_type=${type.id}&page_size=200`));
    const candidates = equipment.filter((e) => e.state === 'FULL' && !e.retest_overdue && e.location_name && depotInfo && e.location_name.includes(depotInfo.name));
    assert.ok(candidates.length > 0, `a full ${SKU} at ${depotInfo?.name}: ${JSON.stringify(equipment.slice(0, 3))}`);
    serial = candidates[candidates.length - 1].serial_number;
    browser = await launch();
    phone = await newPhone(browser);
    await phone.context.addInitScript(fakeDevices, { detector: true, qr: null });
    await phone.context.grantPermissions(['camera']).catch(() => undefined);
    phone.page.on('console', (m) => m.type() === 'error' && !/ERR_INTERNET_DISCONNECTED/.test(m.text()) && console.error('[console]', m.text()));
    await login(phone.page);
    await waitForServiceWorker(phone.page);
  });
  after(async () => {
    await browser?.close();
  });

  it('my day: each stop has Navigate / Waze, and Call when the customer has a phone', async () => {
    const day = await getJson(server.access, '/api/my-day/');
    await phone.page.goto(APP_URL);
    if (!day.stops.length) return; // no stop today: nothing to show
    await phone.page.waitForSelector('[data-testid=stop-card]');
    const card = phone.page.locator('[data-testid=stop-card]').first();
    assert.match(await card.locator('[data-testid=stop-navigate]').getAttribute('href'), /^https:\/\/www\.google\.com\/maps\/dir\/\?api=1&destination=/);
    assert.match(await card.locator('[data-testid=stop-waze]').getAttribute('href'), /^https:\/\/waze\.com\/ul\?(ll|q)=/);
    if (day.stops[0].customer.phone) assert.match(await card.locator('[data-testid=stop-call]').getAttribute('href'), /^tel:\+?\d+/);
    if ('deposit_total' in day.stops[0]) await card.locator('[data-testid=stop-deposit]').waitFor();
    // stops in the planned order
    const names = await phone.page.locator('[data-testid=stop] .font-semibold').allTextContents();
    assert.deepEqual(names, day.stops.map((s) => s.customer.name));
    await card.scrollIntoViewIfNeeded();
    await shot(phone.page, '60-my-day-stops');
  });

  it('loads the serialised cylinder at the depot, its serial scanned', async () => {
    const { page } = phone;
    await page.goto(`${APP_URL}#/distribution`);
    await page.waitForSelector(`#cylinder-type option[value="${type.id}"]`, { state: 'attached' });
    await page.selectOption('#cylinder-type', String(type.id));
    await page.click('[data-movement=COLLECTION]');
    await page.fill('#quantity', '1');
    await page.click('button:text-is("Add line")');
    const entry = `line-serials-${type.id}-COLLECTION`;
    await page.waitForSelector(`[data-testid=${entry}]`);
    // a serialised type cannot be reviewed without its serial
    assert.equal(await page.isDisabled('button:text-is("Review")'), true);
    await page.evaluate((s) => (window.__nextScan = s), serial);
    await page.click(`[data-testid=${entry}-scan]`);
    await page.waitForSelector(`[data-testid=scanner-message]:has-text("${serial} added (1 of 1)")`);
    await shot(page, '61-scanner');
    await page.click('[data-testid=scanner-close]');
    await page.waitForSelector(`[data-testid=${entry}-list] [data-testid=serial]:text-is("${serial}")`);
    await page.click('button:text-is("Review")');
    await page.click('[data-testid=confirm-dialog] button:text-is("Confirm")');
    await page.waitForSelector('[data-testid=event-status]:has-text("applied")', { timeout: 20000 });
    const eq = rows(await getJson(admin, `/api/equipment/?serial=${encodeURIComponent(serial)}`))[0];
    assert.ok(eq.location_name.includes(server.me.vehicle?.plate_number ?? 'XD1234A'), `${serial} on the truck: ${eq.location_name}`);
  });

  it('offline: a delivery with the scanned serial, a signature, a photo and the recipient', async () => {
    const { page, context } = phone;
    // a 2400 x 1800 JPEG from the phone's camera (made here), so the resize has work to do
    const jpeg = Buffer.from(
      await page.evaluate(async () => {
        const c = document.createElement('canvas');
        c.width = 2400;
        c.height = 1800;
        const ctx = c.getContext('2d');
        const g = ctx.createLinearGradient(0, 0, 2400, 1800);
        g.addColorStop(0, '#b45309');
        g.addColorStop(1, '#0369a1');
        ctx.fillStyle = g;
        ctx.fillRect(0, 0, 2400, 1800);
        for (let i = 0; i < 4000; i++) {
          ctx.fillStyle = `hsl(${(i * 37) % 360} 70% ${30 + (i % 40)}%)`;
          ctx.fillRect((i * 7919) % 2400, (i * 104729) % 1800, 6 + (i % 23), 6 + (i % 17));
        }
        const blob = await new Promise((r) => c.toBlob(r, 'image/jpeg', 0.97));
        return [...new Uint8Array(await blob.arrayBuffer())];
      }),
    );
    assert.ok(jpeg.length > 500 * 1024, `the test photo is over the limit before resizing (${jpeg.length} bytes)`);

    await context.setOffline(true);
    await page.goto(`${APP_URL}#/delivery`).catch(() => undefined);
    await page.waitForSelector('[data-testid=online-badge]:has-text("Offline")');
    await page.fill('#customer-search', 'Ah Hock');
    await page.click('button:text-is("Search")');
    await page.locator('[data-testid=customer-result]', { hasText: CUSTOMER }).click();
    await setDeliveryQuantities(page, type.id, 1, 0);
    const entry = `serials-delivered-${type.id}`;
    await page.waitForSelector(`[data-testid=${entry}]`);
    assert.match(await page.textContent('[data-testid=review-disabled-reason]'), /Scan 1 more serial/);
    await page.evaluate((s) => (window.__nextScan = s), serial);
    await page.click(`[data-testid=${entry}-scan]`);
    await page.waitForSelector(`[data-testid=scanner-message]:has-text("${serial} added (1 of 1)")`);
    await page.click('[data-testid=scanner-close]');
    // the same serial typed again is refused on the phone
    await page.fill(`[data-testid=${entry}-input]`, serial.toLowerCase());
    await page.locator(`[data-testid=${entry}] button:text-is("Add")`).click();
    await page.waitForSelector(`[data-testid=${entry}-message]:has-text("already on this line")`);
    assert.equal(await page.getAttribute(`[data-testid=${entry}]`, 'data-count'), '1');
    await page.locator(`[data-testid=${entry}]`).scrollIntoViewIfNeeded();
    await shot(page, '62-delivery-serials');

    await page.fill('#recipient-name', RECIPIENT);
    const pad = page.locator('[data-testid=signature]');
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    await page.mouse.move(box.x + 20, box.y + 100);
    await page.mouse.down();
    for (let i = 1; i <= 25; i++) await page.mouse.move(box.x + 20 + i * 11, box.y + 100 - Math.sin(i / 3) * 50, { steps: 2 });
    await page.mouse.up();
    await page.waitForSelector('[data-testid=signature]:not([data-empty])');
    await page.setInputFiles('[data-testid=proof-photo-input]', { name: 'door.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await page.waitForSelector('[data-testid=proof-photos] img');
    await shot(page, '62-proof-form');

    await page.click('button:text-is("Review")');
    await page.waitForSelector(`[data-testid=confirm-proof]:has-text("Received by ${RECIPIENT}")`);
    await page.click('[data-testid=confirm-dialog] button:text-is("Confirm")');
    await page.waitForSelector('[data-testid=event-status]:has-text("queued")');
    eventId = decodeURIComponent(new URL(page.url()).hash.replace('#/event/', ''));
    await page.waitForSelector('[data-testid=proof-uploads][data-pending="2"]');
    await page.waitForSelector(`[data-testid=received-by]:has-text("${RECIPIENT}")`);
    await shot(page, '63-offline-delivery');

    // the hashes are in the signed payload; the bytes wait in IndexedDB, the photo within the limits
    const event = await outboxEvent(page, eventId);
    assert.equal(event.payload.proof.recipient_name, RECIPIENT);
    assert.match(event.payload.proof.signature_sha256, /^[0-9a-f]{64}$/);
    assert.equal(event.payload.proof.photo_sha256.length, 1);
    assert.deepEqual(event.payload.lines.find((l) => l.cylinder_type === type.id).delivered_serials, [serial]);
    const photo = await page.evaluate(
      (sha) =>
        new Promise((resolve) => {
          const open = indexedDB.open('lpg-driver');
          open.onsuccess = () => {
            const all = open.result.transaction('attachments').objectStore('attachments').getAll();
            all.onsuccess = () => {
              const row = all.result.find((r) => r.sha256 === sha);
              if (!row) return resolve(null);
              const blob = new Blob([row.bytes], { type: 'image/jpeg' });
              createImageBitmap(blob).then((b) => resolve({ size: row.size, width: b.width, height: b.height, status: row.status }));
            };
          };
        }),
      event.payload.proof.photo_sha256[0],
    );
    assert.equal(photo.status, 'pending');
    assert.ok(photo.size <= 500 * 1024, `photo ${photo.size} bytes`);
    assert.ok(Math.max(photo.width, photo.height) <= 1600, `photo ${photo.width}x${photo.height}`);
    assert.equal(photo.width, 1600);

    await page.goto(`${APP_URL}#/sync`).catch(() => undefined);
    await page.waitForSelector('[data-testid=pending-uploads-count][data-count="2"]');
  });

  it('back online: synced, the signature and photo uploaded, the serial at the customer', async () => {
    const { page, context } = phone;
    await context.setOffline(false);
    await page.goto(`${APP_URL}#/event/${eventId}`);
    await page.waitForSelector('[data-testid=event-status]:has-text("applied")', { timeout: 30000 });
    await page.waitForSelector('[data-testid=proof-uploads][data-pending="0"]', { timeout: 30000 });
    await shot(page, '64-synced');
    const event = await outboxEvent(page, eventId);
    deliveryId = event.result.id;
    invoiceId = event.result.invoice?.id;
    assert.ok(deliveryId && invoiceId, `delivery ${deliveryId}, invoice ${invoiceId}`);

    const d = await getJson(server.access, `/api/deliveries/${deliveryId}/`);
    assert.equal(d.proof.recipient_name, RECIPIENT);
    assert.equal(d.proof.missing_uploads, 0);
    assert.deepEqual(d.proof.attachments.map((a) => [a.kind, a.uploaded]).sort(), [['PHOTO', true], ['SIGNATURE', true]]);
    const sig = d.proof.attachments.find((a) => a.kind === 'SIGNATURE');
    assert.equal(sig.sha256, event.payload.proof.signature_sha256);
    // the bytes on the server are the ones signed for
    const res = await fetch(new URL(sig.url ?? `/api/deliveries/${deliveryId}/attachments/${sig.sha256}/`, BASE_URL), { headers: { Authorization: `Bearer ${server.access}` } });
    assert.equal(res.status, 200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 4)], [0x89, 0x50, 0x4e, 0x47]); // PNG
    const digest = Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');
    assert.equal(digest, sig.sha256);

    const eq = rows(await getJson(admin, `/api/equipment/?serial=${encodeURIComponent(serial)}`))[0];
    assert.ok(eq.location_name.includes(CUSTOMER), `${serial} at the customer: ${eq.location_name}`);
    const history = await getJson(admin, `/api/equipment/${eq.id}/history/`);
    assert.deepEqual(history.slice(-2).map((h) => h.movement_type), ['COLLECTION', 'DELIVERY']);
  });

  it('the admin shows the delivery with the recipient and the signature', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${BASE_URL}/admin/login/?next=/admin/deliveries/delivery/${deliveryId}/change/`);
    await page.fill('#id_username', ADMIN.email);
    await page.fill('#id_password', ADMIN.password);
    await page.click('input[type=submit]');
    await page.waitForSelector('#content');
    const text = await page.textContent('#content');
    assert.ok(text.includes(RECIPIENT), 'the recipient in the admin');
    // the signature and the photo are shown (loaded images), the signature first
    const images = await waitFor(
      () =>
        page.evaluate(() => {
          const imgs = [...document.querySelectorAll('#content figure.proof-attachment img, #content img')].filter((i) => /signature|photo/i.test(i.alt));
          return imgs.length >= 2 && imgs.every((i) => i.complete && i.naturalWidth > 0) ? imgs.map((i) => i.alt) : null;
        }),
      { message: 'the signature and photo images in the admin' },
    );
    assert.match(images[0], /signature/i);
    await page.locator('#content img').first().scrollIntoViewIfNeeded();
    await shot(page, 'admin-60-delivery-proof');
    await context.close();
  });

  it('the tax invoice PDF says "Received by" the recipient, deposits apart from the GST base', async () => {
    const invoice = await getJson(server.access, `/api/invoices/${invoiceId}/`);
    const res = await fetch(`${BASE_URL}/api/invoices/${invoiceId}/pdf/`, { headers: { Authorization: `Bearer ${server.access}` } });
    assert.equal(res.status, 200);
    const dir = mkdtempSync(join(tmpdir(), 'e2e-60-'));
    const file = join(dir, 'invoice.pdf');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const out = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    const squash = (t) => t.replace(/\s+/g, ' ');
    assert.match(squash(out.stdout), new RegExp(`Received by:? ${RECIPIENT}`), `PDF text: ${out.stdout.slice(0, 2000)}`);
    if (Number(invoice.deposit_total ?? 0) > 0) {
      assert.ok(/Cylinder deposits \(not subject to GST\)/.test(squash(out.stdout)), 'deposits apart on the PDF');
      assert.ok(invoice.lines.some((l) => l.kind === 'DEPOSIT'));
    }
  });

  it('without BarcodeDetector, the ZXing WebAssembly reader starts offline from our origin and reads a QR code', async () => {
    const qr = qrEncode('SG45-0002', { ecc: 'M', border: 4 }).data;
    const other = await newPhone(browser);
    await other.context.addInitScript(fakeDevices, { detector: false, qr });
    const requests = [];
    other.page.on('request', (r) => requests.push(r.url()));
    await login(other.page);
    await waitForServiceWorker(other.page);
    await other.page.waitForFunction(() => caches.keys().then((k) => k.length > 0));
    // the depots and cylinder types are kept on the phone once seen
    await other.page.goto(`${APP_URL}#/distribution`);
    await other.page.waitForSelector(`#cylinder-type option[value="${type.id}"]`, { state: 'attached' });
    await other.page.waitForSelector('#depot option', { state: 'attached' });
    await other.page.goto(APP_URL);
    await other.context.setOffline(true);
    await other.page.goto(`${APP_URL}#/distribution`).catch(() => undefined);
    await other.page.waitForSelector(`#cylinder-type option[value="${type.id}"]`, { state: 'attached' });
    await other.page.selectOption('#cylinder-type', String(type.id));
    await other.page.click('[data-movement=COLLECTION]');
    await other.page.fill('#quantity', '1');
    await other.page.click('button:text-is("Add line")');
    await other.page.click(`[data-testid=line-serials-${type.id}-COLLECTION-scan]`);
    await other.page.waitForSelector('[data-testid=serial-scanner]:has-text("ZXing reader")', { timeout: 20000 });
    await other.page.waitForSelector('[data-testid=scanner-message]:has-text("SG45-0002 added (1 of 1)")', { timeout: 20000 });
    await shot(other.page, '65-zxing-offline');
    const wasm = requests.filter((u) => u.endsWith('.wasm'));
    assert.ok(wasm.length > 0 && wasm.every((u) => u.startsWith(`${BASE_URL}/app/assets/`)), `wasm from our origin: ${wasm}`);
    assert.ok(!requests.some((u) => !u.startsWith(BASE_URL) && !u.startsWith('data:') && !u.startsWith('blob:')), `no other host: ${requests.filter((u) => !u.startsWith(BASE_URL))}`);
    await other.context.close();
  });
});
