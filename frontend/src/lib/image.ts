// Photos taken at the door are resized on the phone before they are stored
// and uploaded: at most 1600 px on the longer side and at most 500 KB of JPEG
// (the server refuses more). The JPEG quality is lowered step by step until
// the file fits; if even the lowest quality is too big, the picture is made
// smaller and the quality loop runs again.

export const PHOTO_MAX_SIDE = 1600;
export const PHOTO_MAX_BYTES = 500 * 1024;
export const QUALITY_START = 0.85;
export const QUALITY_MIN = 0.4;
export const QUALITY_STEP = 0.1;
/** When the lowest quality does not fit, each side shrinks by this factor. */
export const SHRINK = 0.8;

/** The size that fits `max` on the longer side, keeping the aspect ratio (never enlarged). */
export function fitWithin(width: number, height: number, max: number): { width: number; height: number } {
  if (width <= 0 || height <= 0) throw new Error('The picture has no size.');
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** The JPEG qualities tried, best first: 0.85, 0.75, ... down to 0.4. */
export function qualitySteps(start = QUALITY_START, min = QUALITY_MIN, step = QUALITY_STEP): number[] {
  const out: number[] = [];
  for (let q = start; q >= min - 1e-9; q -= step) out.push(Math.round(q * 100) / 100);
  return out;
}

/** The first encoding (best quality first) whose size is within `maxBytes`, or undefined. */
export async function encodeUnderLimit(encode: (quality: number) => Promise<Blob>, maxBytes: number, qualities = qualitySteps()): Promise<Blob | undefined> {
  for (const q of qualities) {
    const blob = await encode(q);
    if (blob.size <= maxBytes) return blob;
  }
  return undefined;
}

/** What the resize needs of a picture: its size, and a JPEG of it at a given size and quality. */
export interface Raster {
  width: number;
  height: number;
  toJpeg(width: number, height: number, quality: number): Promise<Blob>;
  close?(): void;
}

/** Resizes to fit `maxSide` and `maxBytes` (the quality loop, then smaller sizes). */
export async function resizeRaster(src: Raster, maxSide = PHOTO_MAX_SIDE, maxBytes = PHOTO_MAX_BYTES): Promise<{ blob: Blob; width: number; height: number }> {
  let { width, height } = fitWithin(src.width, src.height, maxSide);
  for (let round = 0; round < 12; round++) {
    const blob = await encodeUnderLimit((q) => src.toJpeg(width, height, q), maxBytes);
    if (blob) return { blob, width, height };
    width = Math.max(1, Math.round(width * SHRINK));
    height = Math.max(1, Math.round(height * SHRINK));
  }
  throw new Error('The photo could not be made small enough.');
}

/** A picture file decoded by the browser (EXIF orientation applied), drawn on a canvas to encode. */
export async function browserRaster(file: Blob): Promise<Raster> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  return {
    width: bitmap.width,
    height: bitmap.height,
    async toJpeg(width, height, quality) {
      if (typeof OffscreenCanvas !== 'undefined') {
        const canvas = new OffscreenCanvas(width, height);
        const ctx = canvas.getContext('2d');
        if (!ctx) throw new Error('No canvas on this phone.');
        ctx.drawImage(bitmap, 0, 0, width, height);
        return canvas.convertToBlob({ type: 'image/jpeg', quality });
      }
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const ctx = canvas.getContext('2d');
      if (!ctx) throw new Error('No canvas on this phone.');
      ctx.drawImage(bitmap, 0, 0, width, height);
      return new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The photo could not be encoded.'))), 'image/jpeg', quality));
    },
    close: () => bitmap.close(),
  };
}

/** A photo from the camera or gallery as a JPEG within the server's limits. */
export async function resizePhoto(file: Blob, raster: (f: Blob) => Promise<Raster> = browserRaster): Promise<{ blob: Blob; width: number; height: number }> {
  let src: Raster;
  try {
    src = await raster(file);
  } catch {
    throw new Error('This file is not a picture the phone can read.');
  }
  try {
    return await resizeRaster(src);
  } finally {
    src.close?.();
  }
}
