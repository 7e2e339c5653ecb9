// Writes the PWA icons (PNG) without any image tool: an amber square with a
// white gas cylinder. Run once: node scripts/make-icons.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
};

function icon(size, padding) {
  const bg = [180, 83, 9];
  const fg = [255, 255, 255];
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = [0];
    for (let x = 0; x < size; x++) {
      const u = (x / size - 0.5) / (1 - 2 * padding);
      const v = (y / size - 0.5) / (1 - 2 * padding);
      // body: rounded rectangle; valve: small rectangle on top
      const body = Math.abs(u) < 0.22 && v > -0.25 && v < 0.38 && !(Math.abs(u) > 0.12 && (v < -0.17 || v > 0.3) && (Math.abs(u) - 0.12) ** 2 + (Math.max(-0.17 - v, v - 0.3, 0)) ** 2 > 0.01);
      const valve = Math.abs(u) < 0.07 && v > -0.36 && v <= -0.25;
      const c = body || valve ? fg : bg;
      row.push(...c);
    }
    rows.push(Buffer.from(row));
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = new URL('../public/icons/', import.meta.url);
writeFileSync(new URL('icon-192.png', out), icon(192, 0.05));
writeFileSync(new URL('icon-512.png', out), icon(512, 0.05));
writeFileSync(new URL('icon-512-maskable.png', out), icon(512, 0.2));
writeFileSync(new URL('apple-touch-icon-180.png', out), icon(180, 0.1));
