import { describe, expect, it } from 'vitest';
import { addSerial, duplicateSerials, normalizeSerial, removeSerial, serialProblem, serialsField } from './serials';

describe('serial entry rules', () => {
  it('normalises what is typed or scanned', () => {
    expect(normalizeSerial(' sg45-0001 ')).toBe('SG45-0001');
    expect(normalizeSerial('SG45 - 0007\n')).toBe('SG45-0007');
  });

  it('adds up to the quantity, then refuses', () => {
    const owners = new Map<string, string>();
    let list: string[] = [];
    for (const s of ['SG45-0001', 'sg45-0002', 'SG45-0003']) {
      const r = addSerial(list, s, 3, owners);
      expect(r.ok).toBe(true);
      if (r.ok) list = r.serials;
    }
    expect(list).toEqual(['SG45-0001', 'SG45-0002', 'SG45-0003']);
    const full = addSerial(list, 'SG45-0004', 3, owners);
    expect(full).toMatchObject({ ok: false, reason: expect.stringMatching(/Already 3 serials for a quantity of 3/) });
  });

  it('refuses a serial twice on the line and on another line of the document', () => {
    const owners = new Map([['SG45-0009', '45 kg picked up']]);
    expect(addSerial(['SG45-0001'], 'sg45-0001', 7, owners)).toMatchObject({ ok: false, reason: 'SG45-0001 is already on this line.' });
    expect(addSerial(['SG45-0001'], 'SG45-0009', 7, owners)).toMatchObject({ ok: false, reason: 'SG45-0009 is already on this document (45 kg picked up).' });
  });

  it('refuses empty, too long, and any serial when the quantity is 0', () => {
    expect(addSerial([], '   ', 2, new Map()).ok).toBe(false);
    expect(addSerial([], 'X'.repeat(65), 2, new Map()).ok).toBe(false);
    expect(addSerial([], 'SG45-0001', 0, new Map())).toMatchObject({ ok: false, reason: 'Set the quantity first.' });
  });

  it('removes one serial', () => {
    expect(removeSerial(['A1', 'B2', 'C3'], 'B2')).toEqual(['A1', 'C3']);
  });

  it('count against quantity: required for serialised types, all-or-none otherwise', () => {
    expect(serialProblem([], 7, true)).toBe('Scan 7 more serials (0 of 7).');
    expect(serialProblem(['A'], 2, true)).toBe('Scan 1 more serial (1 of 2).');
    expect(serialProblem(['A', 'B'], 2, true)).toBeUndefined();
    expect(serialProblem([], 14, false)).toBeUndefined();
    expect(serialProblem(['A'], 14, false)).toBe('Scan 13 more serials (1 of 14).');
    expect(serialProblem(['A', 'B', 'C'], 2, false)).toBe('3 serials for 2 cylinders: remove 1.');
    expect(serialProblem(['A'], 0, true)).toBe('Remove the 1 serial: the quantity is 0.');
    expect(serialProblem([], 0, true)).toBeUndefined();
  });

  it('finds duplicates across lists', () => {
    expect(duplicateSerials([['A', 'B'], ['C'], ['B', 'D', 'A']]).sort()).toEqual(['A', 'B']);
    expect(duplicateSerials([['A'], []])).toEqual([]);
  });

  it('the payload field only when there are serials', () => {
    expect(serialsField('delivered_serials', [])).toEqual({});
    expect(serialsField('delivered_serials', undefined)).toEqual({});
    expect(serialsField('serials', ['SG45-0001'])).toEqual({ serials: ['SG45-0001'] });
  });
});
