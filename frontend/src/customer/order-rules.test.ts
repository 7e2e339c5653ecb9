import { describe, expect, it } from 'vitest';
import { addDays, dayProblem, linesProblem, orderLines, singaporeDate, singaporeTime, gasWithGst, windowProblem, withGst, WINDOWS } from './order-rules';

// 2026-12-05 15:30 in Singapore (UTC+8)
const afternoon = new Date('2026-12-05T07:30:00Z');

describe('the day', () => {
  it('is the Singapore date, whatever the phone zone', () => {
    expect(singaporeDate(new Date('2026-12-05T16:30:00Z'))).toBe('2026-12-06'); // 00:30 the next day in Singapore
    expect(singaporeTime(afternoon)).toBe('15:30');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
  it('today up to 30 days ahead', () => {
    expect(dayProblem('2026-12-05', afternoon)).toBeUndefined();
    expect(dayProblem('2026-12-04', afternoon)).toBe('The day is in the past.');
    expect(dayProblem('2027-01-04', afternoon)).toBeUndefined();
    expect(dayProblem('2027-01-05', afternoon)).toBe('Order at most 30 days ahead.');
    expect(dayProblem('', afternoon)).toBe('Choose a day.');
  });
});

describe('the window', () => {
  const at = (kind: 'HOUSEHOLD' | 'COMMERCIAL', start: string | null, end: string | null, day = '2026-12-06') => windowProblem({ kind, day, start, end, now: afternoon });
  it('households only 07:00-21:00; businesses any time', () => {
    expect(at('HOUSEHOLD', '07:00', '21:00')).toBeUndefined();
    expect(at('HOUSEHOLD', '06:30', '09:00')).toBe('Households take deliveries between 07:00 and 21:00.');
    expect(at('HOUSEHOLD', '19:00', '22:00')).toBe('Households take deliveries between 07:00 and 21:00.');
    expect(at('COMMERCIAL', '05:00', '07:00')).toBeUndefined();
    expect(at('HOUSEHOLD', null, null)).toBeUndefined();
  });
  it('closes after it opens', () => {
    expect(at('COMMERCIAL', '10:00', '10:00')).toBe('The window must close after it opens.');
  });
  it('a window already over today is refused, the same window tomorrow is fine', () => {
    expect(at('HOUSEHOLD', '07:00', '10:00', '2026-12-05')).toBe('This window has already passed today.');
    expect(at('HOUSEHOLD', '13:00', '17:00', '2026-12-05')).toBeUndefined(); // still open at 15:30
    expect(at('HOUSEHOLD', '07:00', '10:00', '2026-12-06')).toBeUndefined();
  });
  it('every offered window fits a household', () => {
    for (const w of WINDOWS) expect(windowProblem({ kind: 'HOUSEHOLD', day: '2026-12-06', start: w.start, end: w.end, now: afternoon })).toBeUndefined();
  });
});

describe('lines and totals', () => {
  it('sends only the types with a quantity, in the order shown', () => {
    expect(orderLines({ 3: 2, 1: 0, 5: 1 }, [1, 3, 5])).toEqual([
      { cylinder_type: 3, quantity: 2 },
      { cylinder_type: 5, quantity: 1 },
    ]);
    expect(linesProblem([])).toBe('Choose at least one cylinder.');
    expect(linesProblem([{ quantity: 51 }])).toBe('From 1 to 50 of each type.');
    expect(linesProblem([{ quantity: 50 }])).toBeUndefined();
  });
  it('prices with GST half-up to the cent', () => {
    expect(withGst('21.50', '9')).toBe('23.44'); // 23.435
    expect(withGst('27.30', '9')).toBe('29.76'); // 29.757
    expect(withGst('10.00', '0')).toBe('10.00');
  });
  it('the gas with its GST apart from the deposits (no GST on deposits), in exact cents', () => {
    expect(gasWithGst({ subtotal: '43.00', gst_amount: '3.87', deposit_total: '60.00', total: '106.87' })).toBe('46.87');
    expect(gasWithGst({ subtotal: '0.10', gst_amount: '0.20', deposit_total: '0.00', total: '0.30' })).toBe('0.30'); // 0.1 + 0.2 in floats is not
  });
});
