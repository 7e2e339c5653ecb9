// Shared e2e helpers: playwright-core with Debian's Chromium (no browser
// download), a 360x740 phone viewport, a fake Web Bluetooth printer, and
// direct API calls to check the server's side of every journey.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BASE_URL = (process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8765').replace(/\/+$/, '');
export const APP_URL = `${BASE_URL}/app/`;
export const DRIVER = { email: process.env.E2E_DRIVER_EMAIL ?? 'driver1@example.com', password: process.env.E2E_DRIVER_PASSWORD ?? 'demo1234' };
export const SHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));
mkdirSync(SHOTS, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function newPhone(browser, { bluetooth = 'fake' } = {}) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, serviceWorkers: 'allow' });
  if (bluetooth === 'fake') await context.addInitScript(fakeBluetooth);
  if (bluetooth === 'none') await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'bluetooth', { get: () => undefined, configurable: true }));
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  return { context, page };
}

/** Runs in the page: a BLE printer that records every byte written to it. */
function fakeBluetooth() {
  const written = [];
  const chunks = [];
  window.__printer = { written, chunks };
  const toBytes = (v) => (v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  const write = async (v) => {
    const b = toBytes(v);
    chunks.push(b.length);
    for (const x of b) written.push(x);
  };
  const characteristic = { uuid: '00002af1-0000-1000-8000-00805f9b34fb', properties: { write: true, writeWithoutResponse: true }, writeValue: write, writeValueWithResponse: write, writeValueWithoutResponse: write };
  const service = { uuid: '000018f0-0000-1000-8000-00805f9b34fb', getCharacteristics: async () => [characteristic] };
  const server = { connected: false, async connect() { this.connected = true; return this; }, disconnect() { this.connected = false; }, getPrimaryServices: async () => [service] };
  const device = Object.assign(new EventTarget(), { id: 'fake-printer-1', name: 'FakePrinter 58mm', gatt: server });
  Object.defineProperty(Navigator.prototype, 'bluetooth', {
    configurable: true,
    get: () => ({ getAvailability: async () => true, requestDevice: async () => device, getDevices: async () => [device] }),
  });
}

export async function printedBytes(page, { reset = true } = {}) {
  return page.evaluate((reset) => {
    const out = { bytes: [...window.__printer.written], chunks: [...window.__printer.chunks] };
    if (reset) {
      window.__printer.written.length = 0;
      window.__printer.chunks.length = 0;
    }
    return out;
  }, reset);
}

export async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: false });
}

export async function waitFor(fn, { timeout = 15000, interval = 250, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`timed out waiting for ${message} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

/** The server's view, straight from the API (the browser may be offline). */
export class ServerApi {
  async login() {
    const res = await fetch(`${BASE_URL}/api/auth/token/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(DRIVER) });
    if (!res.ok) throw new Error(`API login failed: HTTP ${res.status} ${await res.text()}`);
    this.access = (await res.json()).access;
    this.me = await this.get('/api/me/');
    this.vehicleId = typeof this.me.vehicle === 'object' && this.me.vehicle ? this.me.vehicle.id : this.me.vehicle;
    return this;
  }
  async get(path) {
    const res = await fetch(`${BASE_URL}${path}`, { headers: { Authorization: `Bearer ${this.access}`, Accept: 'application/json' } });
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
    return res.json();
  }
  /** {cylinderTypeId: {full, empty}} for the driver's vehicle */
  async vehicleStock() {
    const data = await this.get(`/api/stock/?vehicle=${this.vehicleId}`);
    const rows = Array.isArray(data) ? data : data.results;
    const out = {};
    for (const r of rows) {
      const t = typeof r.cylinder_type === 'object' ? r.cylinder_type.id : r.cylinder_type;
      out[t] = { full: Number(r.full_qty), empty: Number(r.empty_qty) };
    }
    return out;
  }
}

export async function login(page) {
  await page.goto(APP_URL);
  await page.fill('#email', DRIVER.email);
  await page.fill('#password', DRIVER.password);
  await shot(page, '01-login');
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=vehicle-label]');
}

/** The service worker controls the page, so the app shell opens offline. */
export async function waitForServiceWorker(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
  });
}

export async function count(page, testid) {
  const text = await page.textContent(`[data-testid=${testid}]`);
  return Number((text ?? '').replace(/\D/g, ''));
}
