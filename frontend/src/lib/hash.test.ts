import { describe, expect, it } from 'vitest';
import { isSha256Hex, sha256Hex } from './hash';

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 vectors', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex(new Uint8Array())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
  it('hashes a Blob and an ArrayBuffer of the same bytes alike', async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7, 14, 23]);
    const a = await sha256Hex(new Blob([bytes], { type: 'image/png' }));
    const b = await sha256Hex(bytes.buffer);
    expect(a).toBe(b);
    expect(isSha256Hex(a)).toBe(true);
  });
  it('is lower-case hex of 64 characters', async () => {
    const h = await sha256Hex(new TextEncoder().encode('SG45-0001'));
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(isSha256Hex(h.toUpperCase())).toBe(false);
  });
});
