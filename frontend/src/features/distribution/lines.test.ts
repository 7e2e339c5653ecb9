import { describe, expect, it } from 'vitest';
import { distributionPayload, linesReducer, totalsByMovement, vehicleDelta, type DistributionLine, type LinesAction } from './lines';

const run = (actions: LinesAction[], start: DistributionLine[] = []) => actions.reduce(linesReducer, start);
const add = (depot: number, cylinder_type: number, movement_type: DistributionLine['movement_type'], quantity: number): LinesAction => ({
  type: 'add',
  line: { depot, cylinder_type, movement_type, quantity },
});

describe('distribution lines and running totals', () => {
  it('totals per movement while entering', () => {
    const lines = run([add(1, 2, 'COLLECTION', 10), add(1, 3, 'COLLECTION', 5), add(1, 2, 'EMPTY_RETURN', 4)]);
    expect(totalsByMovement(lines)).toEqual({ COLLECTION: 15, EMPTY_RETURN: 4, FULL_RETURN: 0 });
  });

  it('adding the same depot, type and movement adds to the existing line', () => {
    const lines = run([add(1, 2, 'COLLECTION', 10), add(1, 2, 'COLLECTION', 3)]);
    expect(lines).toHaveLength(1);
    expect(lines[0].quantity).toBe(13);
  });

  it('+1 / +5 / -1 buttons change the quantity, never below 1', () => {
    let lines = run([add(1, 2, 'COLLECTION', 1)]);
    const key = lines[0].key;
    lines = run([{ type: 'bump', key, by: 5 }, { type: 'bump', key, by: 1 }], lines);
    expect(lines[0].quantity).toBe(7);
    lines = run(Array.from({ length: 10 }, () => ({ type: 'bump', key, by: -1 }) as LinesAction), lines);
    expect(lines[0].quantity).toBe(1);
    expect(totalsByMovement(lines).COLLECTION).toBe(1);
  });

  it('edit and remove update the totals', () => {
    let lines = run([add(1, 2, 'COLLECTION', 10), add(1, 2, 'EMPTY_RETURN', 4)]);
    lines = run([{ type: 'edit', key: lines[1].key, changes: { movement_type: 'FULL_RETURN', quantity: 2 } }], lines);
    expect(totalsByMovement(lines)).toEqual({ COLLECTION: 10, EMPTY_RETURN: 0, FULL_RETURN: 2 });
    lines = run([{ type: 'remove', key: lines[0].key }], lines);
    expect(totalsByMovement(lines)).toEqual({ COLLECTION: 0, EMPTY_RETURN: 0, FULL_RETURN: 2 });
  });

  it('an edit that makes two lines identical merges them', () => {
    let lines = run([add(1, 2, 'COLLECTION', 10), add(1, 2, 'FULL_RETURN', 4)]);
    lines = run([{ type: 'edit', key: lines[1].key, changes: { movement_type: 'COLLECTION' } }], lines);
    expect(lines).toHaveLength(1);
    expect(lines[0].quantity).toBe(14);
  });

  it('typed quantities are whole, positive and bounded', () => {
    let lines = run([add(1, 2, 'COLLECTION', 2.7)]);
    expect(lines[0].quantity).toBe(2);
    lines = run([{ type: 'set', key: lines[0].key, quantity: Number.NaN }], lines);
    expect(lines[0].quantity).toBe(1);
    lines = run([{ type: 'set', key: lines[0].key, quantity: 1e9 }], lines);
    expect(lines[0].quantity).toBe(9999);
  });

  it('vehicle delta and the API payload', () => {
    const lines = run([add(1, 2, 'COLLECTION', 10), add(1, 2, 'EMPTY_RETURN', 4), add(1, 2, 'FULL_RETURN', 1)]);
    expect(vehicleDelta(lines).get(2)).toEqual({ full: 9, empty: -4 });
    expect(distributionPayload(3, lines)).toEqual({
      vehicle: 3,
      items: [
        { depot: 1, cylinder_type: 2, quantity: 10, movement_type: 'COLLECTION' },
        { depot: 1, cylinder_type: 2, quantity: 4, movement_type: 'EMPTY_RETURN' },
        { depot: 1, cylinder_type: 2, quantity: 1, movement_type: 'FULL_RETURN' },
      ],
    });
  });

  it('a saved draft comes back as it was', () => {
    const lines = run([add(1, 2, 'COLLECTION', 10), add(2, 3, 'EMPTY_RETURN', 4)]);
    expect(run([{ type: 'replace', lines }], [])).toEqual(lines);
  });
});

describe('vehicle shortages seen before sending', () => {
  const stock = [{ cylinder_type: 2, full_qty: 3, empty_qty: 4 }];
  it('warns when returning more empties than the vehicle holds (queued events counted)', async () => {
    const { vehicleShortages } = await import('./lines');
    expect(vehicleShortages([{ cylinder_type: 2, movement_type: 'EMPTY_RETURN', quantity: 999 }], stock)).toEqual([
      { cylinder_type: 2, state: 'EMPTY', available: 4, requested: 999 },
    ]);
    expect(vehicleShortages([{ cylinder_type: 2, movement_type: 'EMPTY_RETURN', quantity: 6 }], stock, new Map([[2, { full: -1, empty: 2 }]]))).toEqual([]);
    expect(vehicleShortages([{ cylinder_type: 2, movement_type: 'EMPTY_RETURN', quantity: 4 }], stock)).toEqual([]);
  });
  it('fulls collected in the same document cover fulls returned; an unknown type has nothing on board', async () => {
    const { vehicleShortages } = await import('./lines');
    expect(
      vehicleShortages(
        [
          { cylinder_type: 2, movement_type: 'COLLECTION', quantity: 7 },
          { cylinder_type: 2, movement_type: 'FULL_RETURN', quantity: 10 },
        ],
        stock,
      ),
    ).toEqual([]);
    expect(vehicleShortages([{ cylinder_type: 9, movement_type: 'FULL_RETURN', quantity: 1 }], stock)).toEqual([{ cylinder_type: 9, state: 'FULL', available: 0, requested: 1 }]);
  });
});

describe('serials on distribution lines (issue 13)', () => {
  it('kept per line, merged (each once) when lines merge, sent only when entered', () => {
    let lines = run([add(1, 9, 'COLLECTION', 2), add(1, 2, 'COLLECTION', 7)]);
    lines = run([{ type: 'serials', key: lines[0].key, serials: ['SG45-0001', 'SG45-0002'] }], lines);
    lines = run([{ type: 'add', line: { depot: 1, cylinder_type: 9, movement_type: 'COLLECTION', quantity: 1, serials: ['SG45-0002', 'SG45-0003'] } }], lines);
    expect(lines[0]).toMatchObject({ quantity: 3, serials: ['SG45-0001', 'SG45-0002', 'SG45-0003'] });
    expect(distributionPayload(3, lines).items).toEqual([
      { depot: 1, cylinder_type: 9, quantity: 3, movement_type: 'COLLECTION', serials: ['SG45-0001', 'SG45-0002', 'SG45-0003'] },
      { depot: 1, cylinder_type: 2, quantity: 7, movement_type: 'COLLECTION' },
    ]);
    lines = run([{ type: 'serials', key: lines[0].key, serials: [] }], lines);
    expect(lines[0].serials).toBeUndefined();
    expect(distributionPayload(3, lines).items[0]).not.toHaveProperty('serials');
  });

  it('a line edited to another cylinder type drops its serials', () => {
    let lines = run([add(1, 9, 'COLLECTION', 1)]);
    lines = run([{ type: 'serials', key: lines[0].key, serials: ['SG45-0001'] }], lines);
    expect(run([{ type: 'edit', key: lines[0].key, changes: { quantity: 1 } }], lines)[0].serials).toEqual(['SG45-0001']);
    expect(run([{ type: 'edit', key: lines[0].key, changes: { cylinder_type: 2 } }], lines)[0].serials).toBeUndefined();
  });
});
