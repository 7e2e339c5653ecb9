// Reading cylinder serials from the camera. The browser's own BarcodeDetector
// where it has one (Chrome on Android); otherwise ZXing-C++ compiled to
// WebAssembly (zxing-wasm), loaded on the first scan. The .wasm file is part of
// the build, served from /app/assets/ and precached by the service worker, so
// scanning works offline and nothing is fetched from a CDN.

/** The symbologies stamped or labelled on cylinders. */
export const SERIAL_FORMATS = ['code_128', 'code_39', 'qr_code', 'data_matrix', 'ean_13', 'itf'] as const;
const ZXING_FORMATS = ['Code128', 'Code39', 'QRCode', 'DataMatrix', 'EAN-13', 'ITF'] as const;

export type FrameSource = HTMLVideoElement | HTMLCanvasElement | ImageBitmap;

export interface SerialDetector {
  engine: 'native' | 'zxing';
  /** The texts of the codes seen in the frame (possibly none). */
  detect(source: FrameSource): Promise<string[]>;
}

interface NativeBarcodeDetector {
  detect(source: FrameSource): Promise<{ rawValue: string }[]>;
}
interface NativeBarcodeDetectorClass {
  new (options?: { formats?: string[] }): NativeBarcodeDetector;
  getSupportedFormats?(): Promise<string[]>;
}

function nativeClass(): NativeBarcodeDetectorClass | undefined {
  const g = globalThis as unknown as { BarcodeDetector?: NativeBarcodeDetectorClass };
  return typeof g.BarcodeDetector === 'function' ? g.BarcodeDetector : undefined;
}

async function nativeDetector(): Promise<SerialDetector | undefined> {
  const Detector = nativeClass();
  if (!Detector) return undefined;
  let formats: string[] = [...SERIAL_FORMATS];
  try {
    const supported = (await Detector.getSupportedFormats?.()) ?? formats;
    formats = formats.filter((f) => supported.includes(f));
  } catch {
    /* keep the wish list */
  }
  if (!formats.length) return undefined; // a detector that reads none of ours: use ZXing
  const detector = new Detector({ formats });
  return {
    engine: 'native',
    detect: async (source) => (await detector.detect(source)).map((b) => b.rawValue).filter(Boolean),
  };
}

let zxingReady: Promise<typeof import('zxing-wasm/reader')> | undefined;

/** zxing-wasm with its .wasm from our own origin (the build's hashed asset), instantiated before the first frame. */
function loadZxing() {
  zxingReady ??= Promise.all([import('zxing-wasm/reader'), import('zxing-wasm/reader/zxing_reader.wasm?url')])
    .then(async ([zxing, wasm]) => {
      await zxing.prepareZXingModule({
        overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? new URL(wasm.default, location.href).href : prefix + path) },
        fireImmediately: true,
      });
      return zxing;
    })
    .catch((e: unknown) => {
      zxingReady = undefined; // try again next time (e.g. the first load was offline before the precache)
      throw new Error(`The barcode reader could not start (${(e as Error)?.message ?? e}): type the serial instead.`);
    });
  return zxingReady;
}

let frameCanvas: HTMLCanvasElement | undefined;

function frameImageData(source: FrameSource): ImageData | undefined {
  const width = source instanceof HTMLVideoElement ? source.videoWidth : source.width;
  const height = source instanceof HTMLVideoElement ? source.videoHeight : source.height;
  if (!width || !height) return undefined;
  frameCanvas ??= document.createElement('canvas');
  frameCanvas.width = width;
  frameCanvas.height = height;
  const ctx = frameCanvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return undefined;
  ctx.drawImage(source, 0, 0, width, height);
  return ctx.getImageData(0, 0, width, height);
}

async function zxingDetector(): Promise<SerialDetector> {
  const zxing = await loadZxing();
  return {
    engine: 'zxing',
    detect: async (source) => {
      const image = frameImageData(source);
      if (!image) return [];
      const results = await zxing.readBarcodes(image, { formats: [...ZXING_FORMATS], tryHarder: true, maxNumberOfSymbols: 4 });
      return results.filter((r) => r.isValid && r.text).map((r) => r.text);
    },
  };
}

/** The best detector this browser has. */
export async function createSerialDetector(): Promise<SerialDetector> {
  return (await nativeDetector()) ?? zxingDetector();
}

/** The back camera, as large as the phone gives it; throws a sentence the driver can act on. */
export async function openCamera(): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error('This browser cannot use the camera here: type the serial instead.');
  try {
    return await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false });
  } catch (e) {
    const name = (e as Error)?.name;
    if (name === 'NotAllowedError' || name === 'SecurityError') throw new Error('The camera is not allowed for this app: allow it in the browser settings, or type the serial.');
    if (name === 'NotFoundError' || name === 'OverconstrainedError') throw new Error('No camera found: type the serial instead.');
    throw new Error(`The camera did not start (${(e as Error)?.message || name}): type the serial instead.`);
  }
}

export function stopCamera(stream: MediaStream | undefined): void {
  stream?.getTracks().forEach((t) => t.stop());
}
