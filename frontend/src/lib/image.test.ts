import { describe, expect, it } from 'vitest';
import { encodeUnderLimit, fitWithin, PHOTO_MAX_BYTES, PHOTO_MAX_SIDE, qualitySteps, resizePhoto, resizeRaster, type Raster } from './image';

// jsdom/node has no canvas: the Raster is a stub whose JPEG size follows the
// pixels and the quality (like a real encoder, roughly), so the quality loop
// and the shrink loop below run for real.
function stubRaster(width: number, height: number, bytesPerPixelAtFull: number) {
  const calls: { width: number; height: number; quality: number; size: number }[] = [];
  const raster: Raster & { closed: boolean } = {
    width,
    height,
    closed: false,
    async toJpeg(w, h, quality) {
      const size = Math.round(w * h * bytesPerPixelAtFull * quality);
      calls.push({ width: w, height: h, quality, size });
      return new Blob([new Uint8Array(size)], { type: 'image/jpeg' });
    },
    close() {
      this.closed = true;
    },
  };
  return { raster, calls };
}

describe('fitWithin', () => {
  it('keeps the aspect ratio within 1600 px on the longer side', () => {
    expect(fitWithin(4032, 3024, 1600)).toEqual({ width: 1600, height: 1200 });
    expect(fitWithin(3024, 4032, 1600)).toEqual({ width: 1200, height: 1600 });
    expect(fitWithin(4000, 1867, 1600)).toEqual({ width: 1600, height: 747 });
  });
  it('never enlarges a small picture', () => {
    expect(fitWithin(640, 480, 1600)).toEqual({ width: 640, height: 480 });
  });
  it('refuses a picture without size', () => {
    expect(() => fitWithin(0, 10, 1600)).toThrow();
  });
});

describe('the quality loop', () => {
  it('tries 0.85 down to 0.4 in steps of 0.1', () => {
    expect(qualitySteps()).toEqual([0.85, 0.75, 0.65, 0.55, 0.45]);
  });
  it('returns the best quality that fits, trying no further', async () => {
    const tried: number[] = [];
    // 1000 bytes per quality point: 0.85 -> 850, 0.75 -> 750, 0.65 -> 650
    const blob = await encodeUnderLimit(async (q) => {
      tried.push(q);
      return new Blob([new Uint8Array(Math.round(q * 1000))]);
    }, 700);
    expect(blob?.size).toBe(650);
    expect(tried).toEqual([0.85, 0.75, 0.65]);
  });
  it('gives up (undefined) when even the lowest quality is too big', async () => {
    expect(await encodeUnderLimit(async () => new Blob([new Uint8Array(2000)]), 1999)).toBeUndefined();
  });
  it('a size exactly at the limit fits', async () => {
    expect((await encodeUnderLimit(async () => new Blob([new Uint8Array(500)]), 500))?.size).toBe(500);
  });
});

describe('resizeRaster: at most 1600 px and 500 KB', () => {
  it('a 12 MP phone photo: scaled to 1600 x 1200, quality lowered until it fits', async () => {
    // 0.37 bytes/pixel at quality 1: 1600x1200 -> 0.85: 603,840 (too big), 0.75: 532,800 (too big), 0.65: 461,760 (fits)
    const { raster, calls } = stubRaster(4032, 3024, 0.37);
    const out = await resizeRaster(raster);
    expect(out.width).toBe(1600);
    expect(out.height).toBe(1200);
    expect(calls.map((c) => c.quality)).toEqual([0.85, 0.75, 0.65]);
    expect(out.blob.size).toBe(461_760);
    expect(out.blob.size).toBeLessThanOrEqual(PHOTO_MAX_BYTES);
  });

  it('a picture that does not fit even at the lowest quality is made smaller, then fits', async () => {
    // 1.3 bytes/pixel: 1600x1200 at 0.45 = 1,123,200 (too big); x0.8 = 1280x960 at 0.45 = 718,848; x0.64 = 1024x768 -> 0.45 = 460,080
    const { raster, calls } = stubRaster(3000, 2250, 1.3);
    const out = await resizeRaster(raster);
    expect(out.width).toBe(1024);
    expect(out.height).toBe(768);
    expect(out.blob.size).toBeLessThanOrEqual(PHOTO_MAX_BYTES);
    expect(Math.max(...calls.map((c) => Math.max(c.width, c.height)))).toBe(PHOTO_MAX_SIDE);
    // every size tried all the qualities before shrinking
    expect(calls.filter((c) => c.width === 1600)).toHaveLength(5);
    expect(calls.filter((c) => c.width === 1280)).toHaveLength(5);
  });

  it('a small picture keeps its size and the best quality', async () => {
    const { raster, calls } = stubRaster(800, 600, 0.2);
    const out = await resizeRaster(raster);
    expect(out).toMatchObject({ width: 800, height: 600 });
    expect(calls).toHaveLength(1);
    expect(calls[0].quality).toBe(0.85);
  });

  it('resizePhoto closes the decoded picture and says when a file is not a picture', async () => {
    const { raster } = stubRaster(2000, 1000, 0.1);
    await resizePhoto(new Blob(['x']), async () => raster);
    expect(raster.closed).toBe(true);
    await expect(resizePhoto(new Blob(['not a jpeg']), async () => Promise.reject(new Error('decode')))).rejects.toThrow(/not a picture/);
  });
});
