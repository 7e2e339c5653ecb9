import { describe, expect, it } from 'vitest';
import { formatCents, percentOf, toCents } from './money';

describe('money', () => {
  it('parses decimal strings to cents', () => {
    expect(toCents('25.07')).toBe(2507);
    expect(toCents('25')).toBe(2500);
    expect(toCents('0.5')).toBe(50);
    expect(toCents('1.005')).toBe(101);
    expect(toCents('-3.10')).toBe(-310);
    expect(toCents(null)).toBe(0);
  });
  it('formats cents with two decimals', () => {
    expect(formatCents(2507)).toBe('25.07');
    expect(formatCents(5)).toBe('0.05');
    expect(formatCents(-310)).toBe('-3.10');
  });
  it('rounds GST half-up to the cent', () => {
    expect(percentOf(2750, '9')).toBe(248); // 2.475 -> 2.48
    expect(percentOf(2850, '9')).toBe(257); // 2.565 -> 2.57
    expect(percentOf(1000, '9')).toBe(90);
    expect(percentOf(1, '9')).toBe(0); // 0.0009
    expect(percentOf(6, '9')).toBe(1); // 0.0054 -> 0.01
    expect(percentOf(2785, '9.00')).toBe(251); // 2.5065
  });
});
