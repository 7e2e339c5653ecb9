import { renderSVG } from 'uqr';

// The PayNow (SGQR) payload of apps/billing/paynow.py, computed on the phone
// so the QR shows offline too. Both are checked against
// __fixtures__/paynow-vectors.json (made by the Python function).

function tlv(tag: string, value: string): string {
  if (value.length > 99) throw new Error(`EMVCo field ${tag} is longer than 99 characters`);
  return `${tag}${String(value.length).padStart(2, '0')}${value}`;
}

/** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), as EMVCo specifies. */
export function crc16ccitt(data: string): number {
  let crc = 0xffff;
  for (let i = 0; i < data.length; i++) {
    crc ^= data.charCodeAt(i) << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** Printable ASCII only (Python's `32 <= ord(ch) < 127`), cut to `limit` characters. */
const ascii = (value: string, limit: number) =>
  [...value]
    .filter((ch) => ch.codePointAt(0)! >= 32 && ch.codePointAt(0)! < 127)
    .join('')
    .slice(0, limit);

export function paynowPayload(args: { uen: string; amount: string; reference: string; merchantName: string; city?: string }): string {
  const merchantAccount = tlv('00', 'SG.PAYNOW') + tlv('01', '2') + tlv('02', args.uen) + tlv('03', '0');
  const body =
    tlv('00', '01') +
    tlv('01', '12') +
    tlv('26', merchantAccount) +
    tlv('52', '0000') +
    tlv('53', '702') +
    tlv('54', args.amount) +
    tlv('58', 'SG') +
    tlv('59', ascii(args.merchantName, 25) || 'Merchant') +
    tlv('60', ascii(args.city ?? 'Singapore', 15)) +
    tlv('62', tlv('01', ascii(args.reference, 25))) +
    '6304';
  return body + crc16ccitt(body).toString(16).toUpperCase().padStart(4, '0');
}

export function qrSvg(payload: string): string {
  return renderSVG(payload, { ecc: 'M', border: 2 });
}
