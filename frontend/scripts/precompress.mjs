#!/usr/bin/env node
// After `vite build`: a gzip (.gz) and a brotli (.br) copy of every text file
// in dist/, made once at build time at the highest levels, so the server
// (WhiteNoise, apps/core/pwa.py) only picks a file by Accept-Encoding.
// A copy that is not smaller than the original is not written.
import { readdirSync, readFileSync, statSync, writeFileSync, unlinkSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const TEXT = /\.(js|mjs|css|html|svg|webmanifest|json|txt|map|ico)$/;
const MIN_BYTES = 256;

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

let raw = 0, br = 0, gz = 0, files = 0;
for (const file of walk(dist)) {
  if (!TEXT.test(file)) continue;
  const data = readFileSync(file);
  for (const ext of ['.gz', '.br']) if (existsSync(file + ext)) unlinkSync(file + ext);
  if (data.length < MIN_BYTES) continue;
  const g = gzipSync(data, { level: 9 });
  const b = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
  if (g.length < data.length) writeFileSync(`${file}.gz`, g);
  if (b.length < data.length) writeFileSync(`${file}.br`, b);
  raw += data.length;
  gz += Math.min(g.length, data.length);
  br += Math.min(b.length, data.length);
  files++;
}
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`precompress: ${files} files, ${kb(raw)} -> gzip ${kb(gz)}, brotli ${kb(br)}`);
