// A small ESC/POS reader for tests: turns the bytes the app writes to the
// printer back into text, the QR code contents and a few flags. It knows the
// commands @point-of-sale/receipt-printer-encoder emits and fails loudly on
// anything else, so an unexpected command shows up in the tests.

const ESC_ONE_ARG = new Set([0x4d, 0x33, 0x61, 0x45, 0x2d, 0x34, 0x74, 0x64, 0x21, 0x47, 0x4a]);
const GS_ONE_ARG = new Set([0x21, 0x42, 0x68, 0x77, 0x48]);

/**
 * @param {Uint8Array | number[]} input
 * @returns {{ text: string, lines: string[], qr: string[], qrPrinted: number, cut: boolean, initialized: boolean }}
 */
export function decodeEscPos(input) {
  const b = Uint8Array.from(input);
  let text = '';
  const qr = [];
  let qrPrinted = 0;
  let cut = false;
  let initialized = false;
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    if (c === 0x0a) {
      text += '\n';
      i++;
    } else if (c === 0x0d) {
      i++;
    } else if (c === 0x1b) {
      const n = b[i + 1];
      if (n === 0x40) initialized = true;
      if (n === 0x40 || n === 0x32) i += 2;
      else if (ESC_ONE_ARG.has(n)) i += 3;
      else if (n === 0x70) i += 5;
      else throw new Error(`unknown ESC 0x${n?.toString(16)} at byte ${i}`);
    } else if (c === 0x1c) {
      if (b[i + 1] === 0x2e) i += 2;
      else throw new Error(`unknown FS 0x${b[i + 1]?.toString(16)} at byte ${i}`);
    } else if (c === 0x1d) {
      const n = b[i + 1];
      if (n === 0x28 && b[i + 2] === 0x6b) {
        const len = b[i + 3] | (b[i + 4] << 8);
        const body = b.slice(i + 5, i + 5 + len);
        if (body[0] === 0x31 && body[1] === 0x50) qr.push(new TextDecoder().decode(body.slice(3)));
        if (body[0] === 0x31 && body[1] === 0x51) qrPrinted++;
        i += 5 + len;
      } else if (n === 0x56) {
        cut = true;
        const m = b[i + 2];
        i += m === 0x41 || m === 0x42 ? 4 : 3;
      } else if (GS_ONE_ARG.has(n)) i += 3;
      else throw new Error(`unknown GS 0x${n?.toString(16)} at byte ${i}`);
    } else {
      text += String.fromCharCode(c);
      i++;
    }
  }
  return { text, lines: text.split('\n').map((l) => l.trimEnd()), qr, qrPrinted, cut, initialized };
}
