import { afterEach, describe, expect, it } from 'vitest';
import { createSerialDetector, SERIAL_FORMATS } from './barcode';

const g = globalThis as unknown as { BarcodeDetector?: unknown };
afterEach(() => {
  delete g.BarcodeDetector;
});

describe('the serial reader', () => {
  it("uses the browser's BarcodeDetector for the formats it reads", async () => {
    let asked: string[] | undefined;
    g.BarcodeDetector = class {
      static async getSupportedFormats() {
        return ['qr_code', 'code_128', 'aztec'];
      }
      constructor(options?: { formats?: string[] }) {
        asked = options?.formats;
      }
      async detect() {
        return [{ rawValue: 'SG45-0001' }, { rawValue: '' }, { rawValue: 'SG45-0002' }];
      }
    };
    const d = await createSerialDetector();
    expect(d.engine).toBe('native');
    expect(asked).toEqual(['code_128', 'qr_code']);
    expect(asked!.every((f) => (SERIAL_FORMATS as readonly string[]).includes(f))).toBe(true);
    expect(await d.detect({} as HTMLCanvasElement)).toEqual(['SG45-0001', 'SG45-0002']);
  });
});
