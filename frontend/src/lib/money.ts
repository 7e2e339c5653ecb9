// Money as integer cents: decimal strings in, decimal strings out, rounding
// half-up to the cent like the server (which stays authoritative).

export function toCents(amount: string | number | null | undefined): number {
  if (amount === null || amount === undefined || amount === '') return 0;
  const s = typeof amount === 'number' ? amount.toFixed(2) : amount.trim();
  const m = /^(-)?(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m) throw new Error(`not an amount: ${amount}`);
  const sign = m[1] ? -1 : 1;
  const whole = Number(m[2] || '0');
  const frac = (m[3] ?? '').padEnd(3, '0');
  // half-up on the third decimal
  let cents = whole * 100 + Number(frac.slice(0, 2));
  if (Number(frac[2]) >= 5) cents += 1;
  return sign * cents;
}

export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** percent as a decimal string ("9" or "9.00"); result rounded half-up (away from zero). */
export function percentOf(cents: number, percent: string | number): number {
  const basisPoints = toCents(percent); // 9% -> 900
  const raw = cents * basisPoints; // in 1/10000 of a cent
  const sign = raw < 0 ? -1 : 1;
  return sign * Math.floor((Math.abs(raw) + 5000) / 10000);
}



/** A rate as a decimal fraction string ("0.0900") in parts per million (90000). */
export function rateToPpm(rate: string): number {
  const m = /^(\d*)(?:\.(\d{0,6}))?$/.exec(rate.trim());
  if (!m) throw new Error(`not a rate: ${rate}`);
  return Number(m[1] || '0') * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'));
}

/** cents x rate (a fraction, "0.0900"), rounded half-up to the cent like billing/pricing.py money(). */
export function applyRate(cents: number, rate: string): number {
  const raw = cents * rateToPpm(rate); // in 1/1,000,000 of a cent; exact below 2^53
  const sign = raw < 0 ? -1 : 1;
  return sign * Math.floor((Math.abs(raw) + 500_000) / 1_000_000);
}

/** "0.0900" -> "9", "0.0750" -> "7.5" (what the invoice prints as "GST 9%"). */
export function ratePercentLabel(rate: string): string {
  const ppm = rateToPpm(rate);
  const whole = Math.floor(ppm / 10_000);
  const frac = String(ppm % 10_000).padStart(4, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}
