export function decodeEscPos(input: Uint8Array | number[]): {
  text: string;
  lines: string[];
  qr: string[];
  qrPrinted: number;
  cut: boolean;
  initialized: boolean;
};
