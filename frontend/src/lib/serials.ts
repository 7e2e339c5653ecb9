// Cylinder serial numbers on a document's lines (issue 13). The server's rules,
// checked on the phone first: each serial at most once per document, and when
// a line carries serials their count equals its quantity (required for
// serialised cylinder types). The server still decides (unknown serial,
// serial not on the vehicle, retest overdue).

/** Trimmed, inner spaces removed, upper case: "sg45 - 0001 " -> "SG45-0001". */
export function normalizeSerial(raw: string): string {
  return raw.trim().replace(/\s+/g, '').toUpperCase();
}

export const SERIAL_MAX_LENGTH = 64;

/** Where a serial already is on the document being entered, e.g. "12.7 kg delivered". */
export type SerialOwners = Map<string, string>;

export type AddSerialResult = { ok: true; serials: string[]; serial: string } | { ok: false; serial: string; reason: string };

/**
 * Adds a serial to one list of a document. `owners`: every serial already on
 * the document (this list included) with the place it is on. Refused: empty,
 * too long, already on the document, or the list is full (as many serials as
 * the quantity).
 */
export function addSerial(list: readonly string[], raw: string, quantity: number, owners: SerialOwners): AddSerialResult {
  const serial = normalizeSerial(raw);
  if (!serial) return { ok: false, serial, reason: 'Enter a serial number.' };
  if (serial.length > SERIAL_MAX_LENGTH) return { ok: false, serial, reason: `A serial has at most ${SERIAL_MAX_LENGTH} characters.` };
  if (list.includes(serial)) return { ok: false, serial, reason: `${serial} is already on this line.` };
  const other = owners.get(serial);
  if (other) return { ok: false, serial, reason: `${serial} is already on this document (${other}).` };
  if (list.length >= quantity) return { ok: false, serial, reason: quantity === 0 ? 'Set the quantity first.' : `Already ${quantity} serial${quantity === 1 ? '' : 's'} for a quantity of ${quantity}: remove one first.` };
  return { ok: true, serial, serials: [...list, serial] };
}

export function removeSerial(list: readonly string[], serial: string): string[] {
  return list.filter((s) => s !== serial);
}

/**
 * Why a line's serials cannot be sent as they are, or undefined when they can:
 * a serialised type needs one serial per cylinder; any other type may carry
 * none, or exactly one per cylinder.
 */
export function serialProblem(serials: readonly string[], quantity: number, serialised: boolean): string | undefined {
  if (quantity <= 0) return serials.length ? `Remove the ${serials.length} serial${serials.length === 1 ? '' : 's'}: the quantity is 0.` : undefined;
  if (!serialised && serials.length === 0) return undefined;
  if (serials.length < quantity) return `Scan ${quantity - serials.length} more serial${quantity - serials.length === 1 ? '' : 's'} (${serials.length} of ${quantity}).`;
  if (serials.length > quantity) return `${serials.length} serials for ${quantity} cylinder${quantity === 1 ? '' : 's'}: remove ${serials.length - quantity}.`;
  return undefined;
}

/** Serials appearing more than once across the document's lists. */
export function duplicateSerials(lists: readonly (readonly string[])[]): string[] {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const list of lists) for (const s of list) (seen.has(s) ? dupes : seen).add(s);
  return [...dupes];
}

/** `{key: serials}` only when there are serials, so a payload without serials is unchanged. */
export function serialsField<K extends string>(key: K, serials: readonly string[] | undefined): Partial<Record<K, string[]>> {
  return serials && serials.length ? ({ [key]: [...serials] } as Record<K, string[]>) : {};
}
