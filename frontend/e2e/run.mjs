#!/usr/bin/env node
// Runs the e2e specs one after another with node:test and playwright-core.
//   E2E_BASE_URL=http://127.0.0.1:8765 node e2e/run.mjs       (a running Django server)
//   E2E_MOCK=1 node e2e/run.mjs                                (the bundled mock API; needs dist/)
// Screenshots land in e2e/screenshots/ (360x740).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const base = (process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8765').replace(/\/+$/, '');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  console.error(`Chromium not found at ${chromiumPath}: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  process.exit(2);
}

let mock;
if (process.env.E2E_MOCK === '1') {
  const { startMockServer } = await import('./mock-server.mjs');
  const u = new URL(base);
  mock = await startMockServer(Number(u.port || 80), u.hostname);
  console.log(`# mock API and PWA on ${base}`);
}

// Fail fast with a clear message if nothing listens.
try {
  const res = await fetch(`${base}/app/`, { redirect: 'manual' });
  if (res.status >= 400) throw new Error(`GET /app/ answered HTTP ${res.status}`);
} catch (e) {
  console.error(`No PWA at ${base}/app/ (${e.message}). Start the server (with frontend/dist built) or set E2E_BASE_URL.`);
  mock?.close();
  process.exit(2);
}

const only = process.argv.slice(2);
const specs = readdirSync(here)
  .filter((f) => f.endsWith('.spec.mjs'))
  .filter((f) => !only.length || only.some((o) => f.includes(o)))
  .sort()
  .map((f) => `${here}${f}`);

const child = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...specs], {
  stdio: 'inherit',
  env: { ...process.env, E2E_BASE_URL: base, CHROMIUM_PATH: chromiumPath },
});
const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
mock?.close();
process.exit(code);
