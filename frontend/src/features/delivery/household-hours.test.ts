import { afterEach, describe, expect, it } from 'vitest';
import { householdHoursWarning, singaporeMinuteOfDay } from './household-hours';

// Singapore is UTC+8 all year (no DST): SG hh:mm is UTC (hh-8):mm.
const sg = (hhmm: string, day = '2025-03-10') => new Date(`${day}T${hhmm}:00+08:00`);

const originalTZ = process.env.TZ;
afterEach(() => {
  process.env.TZ = originalTZ;
});

describe('householdHoursWarning', () => {
  it.each([
    ['00:00', true],
    ['06:59', true],
    ['07:00', false],
    ['12:00', false],
    ['20:59', false],
    ['21:00', true],
    ['23:59', true],
  ])('household at %s SG -> warn %s', (hhmm, warn) => {
    expect(householdHoursWarning('HOUSEHOLD', sg(hhmm))).toBe(warn);
  });

  it('counts seconds before 07:00 as outside and 20:59:59 as inside', () => {
    expect(householdHoursWarning('HOUSEHOLD', new Date('2025-03-10T06:59:59.999+08:00'))).toBe(true);
    expect(householdHoursWarning('HOUSEHOLD', new Date('2025-03-10T20:59:59.999+08:00'))).toBe(false);
  });

  it.each(['COMMERCIAL', undefined, null, '', 'household'])('never warns for kind %s', (kind) => {
    for (const hhmm of ['00:00', '06:59', '12:00', '21:00', '23:59']) expect(householdHoursWarning(kind, sg(hhmm))).toBe(false);
  });

  it('is evaluated in Singapore time whatever the machine time zone', () => {
    // getTimezoneOffset() of 2025-03-10 in each zone: proves the machine zone really changed
    const offsets: Record<string, number> = { UTC: 0, 'America/Los_Angeles': 420, 'Pacific/Kiritimati': -840, 'Asia/Kolkata': -330 };
    for (const [tz, offset] of Object.entries(offsets)) {
      process.env.TZ = tz;
      expect(new Date('2025-03-10T13:00:00Z').getTimezoneOffset() + 0).toBe(offset);
      // 22:30 UTC on the 9th is 06:30 SG on the 10th; 13:00 UTC is 21:00 SG; 23:00 UTC is 07:00 SG
      expect(householdHoursWarning('HOUSEHOLD', new Date('2025-03-09T22:30:00Z'))).toBe(true);
      expect(householdHoursWarning('HOUSEHOLD', new Date('2025-03-10T13:00:00Z'))).toBe(true);
      expect(householdHoursWarning('HOUSEHOLD', new Date('2025-03-09T23:00:00Z'))).toBe(false);
      expect(householdHoursWarning('HOUSEHOLD', new Date('2025-03-10T12:59:00Z'))).toBe(false);
      expect(singaporeMinuteOfDay(new Date('2025-03-09T16:00:00Z'))).toBe(0); // SG midnight is 00:00, not 24:00
    }
  });
});
