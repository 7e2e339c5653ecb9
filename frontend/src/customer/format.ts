// Display formats: SGD amounts, Singapore dates and times.
const SG = 'Asia/Singapore';

export const sgd = (amount: string | number | null | undefined): string => `SGD ${Number(amount ?? 0).toFixed(2)}`;

/** 2026-12-05 -> "Sat 5 Dec 2026" */
export function day(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(`${iso.slice(0, 10)}T12:00:00+08:00`);
  return new Intl.DateTimeFormat('en-SG', { timeZone: SG, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(d);
}

/** An ISO date-time -> "14:05" in Singapore. */
export function time(iso: string | null | undefined): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat('en-GB', { timeZone: SG, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/** "09:00:00" or "09:00" -> "09:00" */
export const hhmm = (t: string | null | undefined): string => (t ?? '').slice(0, 5);
