/**
 * Singapore fire-safety rule for LPG: household deliveries only between
 * 07:00 and 21:00 Singapore time (21:00 itself is already outside). The
 * server refuses an out-of-hours household delivery (422
 * household_hours_unacknowledged) unless the payload carries
 * `acknowledged_warnings: ["household_hours"]`; see apps/orders/rules.py.
 */
export const HOUSEHOLD_HOURS_WARNING = 'household_hours';
export const HOUSEHOLD_HOURS_TEXT = 'Household delivery outside 07:00–21:00 (fire-safety rule)';

const OPENS_MINUTES = 7 * 60;
const CLOSES_MINUTES = 21 * 60;

const sgClock = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Singapore', hourCycle: 'h23', hour: '2-digit', minute: '2-digit' });

/** Minutes since midnight, Singapore local time, whatever the device's time zone. */
export function singaporeMinuteOfDay(date: Date): number {
  const parts = sgClock.formatToParts(date);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value);
  return (hour % 24) * 60 + minute;
}

/** True when a delivery to a customer of this kind at this moment needs the driver's acknowledgement. */
export function householdHoursWarning(kind: string | null | undefined, date: Date): boolean {
  if (kind !== 'HOUSEHOLD') return false;
  const m = singaporeMinuteOfDay(date);
  return m < OPENS_MINUTES || m >= CLOSES_MINUTES;
}
