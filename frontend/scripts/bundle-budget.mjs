#!/usr/bin/env node
// The JavaScript each app's first screen loads, against a budget (issue 23).
// After `vite build`: reads dist/.vite/manifest.json and, for every HTML
// entry (the driver's index.html, the customer's customer/index.html), sums
// the entry chunk and every chunk it imports statically, transitively (the
// modulepreload set the browser fetches before the first render). Chunks
// reached only through import() load when a screen first opens and are not
// counted. Sizes: raw, gzip -9 and brotli q11 (what scripts/precompress.mjs
// writes and Django serves). Exits 1 when an entry is over the budget, or
// when a chunk of the build (lazy ones, the .wasm) is missing from the
// service worker's precache (dist/sw.js): a screen that never opened online
// must still open offline.
//   node scripts/bundle-budget.mjs [--budget 102400] [--json]
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export const BUDGET_BYTES = 100 * 1024;

/** The manifest keys an entry loads before its first render: itself and its static imports, transitively, each once. */
export function firstScreenChunks(manifest, entryKey) {
  const seen = new Set();
  const visit = (key) => {
    if (seen.has(key)) return;
    const chunk = manifest[key];
    if (!chunk) throw new Error(`manifest has no chunk ${key}`);
    seen.add(key);
    for (const dep of chunk.imports ?? []) visit(dep);
  };
  visit(entryKey);
  return [...seen];
}

/** The HTML entries of the build (index.html, customer/index.html). */
export function htmlEntries(manifest) {
  return Object.keys(manifest).filter((key) => manifest[key].isEntry && key.endsWith('.html')).sort();
}

export function compressedSizes(bytes) {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

/** Per entry: its first-screen JS files with their sizes, and the totals. */
export function measure(manifest, readAsset) {
  return htmlEntries(manifest).map((entry) => {
    const files = firstScreenChunks(manifest, entry)
      .map((key) => manifest[key].file)
      .filter((file) => file.endsWith('.js'))
      .map((file) => ({ file, ...compressedSizes(readAsset(file)) }));
    const total = { raw: 0, gzip: 0, brotli: 0 };
    for (const f of files) for (const k of Object.keys(total)) total[k] += f[k];
    return { entry, files, total };
  });
}

/** The build's files (every chunk, its CSS and assets such as the .wasm) that dist/sw.js does not precache. */
export function notPrecached(manifest, swSource) {
  const files = new Set();
  for (const chunk of Object.values(manifest)) for (const f of [chunk.file, ...(chunk.css ?? []), ...(chunk.assets ?? [])]) files.add(f);
  return [...files].filter((f) => !swSource.includes(`"${f}"`)).sort();
}

function main() {
  const args = process.argv.slice(2);
  const budgetAt = args.indexOf('--budget');
  const budget = budgetAt >= 0 ? Number(args[budgetAt + 1]) : BUDGET_BYTES;
  const dist = fileURLToPath(new URL('../dist/', import.meta.url));
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(`${dist}.vite/manifest.json`, 'utf8'));
  } catch (e) {
    console.error(`bundle-budget: no build manifest (${e.message}); run \`npm run build\` first.`);
    process.exit(2);
  }
  const results = measure(manifest, (file) => readFileSync(dist + file));
  if (args.includes('--json')) {
    console.log(JSON.stringify(results, null, 2));
  } else {
    const kb = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(10);
    const row = (name, s) => `  ${name.padEnd(44)}${kb(s.raw)}${kb(s.gzip)}${kb(s.brotli)}`;
    console.log(`First-screen JavaScript per entry (budget ${kb(budget).trim()} brotli)`);
    console.log(`  ${'file'.padEnd(44)}${'raw'.padStart(10)}${'gzip'.padStart(10)}${'brotli'.padStart(10)}`);
    for (const { entry, files, total } of results) {
      console.log(entry);
      for (const f of files) console.log(row(f.file, f));
      console.log(`${row('total', total)}  ${total.brotli > budget ? 'OVER BUDGET' : 'ok'}`);
    }
  }
  const missing = notPrecached(manifest, readFileSync(`${dist}sw.js`, 'utf8'));
  if (missing.length) {
    console.error(`bundle-budget: not in the service worker's precache (dist/sw.js): ${missing.join(', ')}`);
    process.exit(1);
  }
  const over = results.filter((r) => r.total.brotli > budget);
  if (!results.length) {
    console.error('bundle-budget: the manifest lists no HTML entry');
    process.exit(2);
  }
  if (over.length) {
    console.error(`bundle-budget: ${over.map((r) => `${r.entry} ${r.total.brotli} B`).join(', ')} over ${budget} B brotli`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
