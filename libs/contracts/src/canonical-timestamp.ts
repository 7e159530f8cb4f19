/** `YYYY-MM-DDTHH:mm:ss.sssZ`: what Date#toISOString writes, and the form events are stored in. */
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const twoDigits = (s: string, at: number): number =>
  (s.charCodeAt(at) - 48) * 10 + (s.charCodeAt(at + 1) - 48);

/** Whether a string of the CANONICAL_UTC shape names a real instant (no Feb 30, no 24:00). */
function inRange(t: string): boolean {
  const year = twoDigits(t, 0) * 100 + twoDigits(t, 2);
  const month = twoDigits(t, 5);
  const day = twoDigits(t, 8);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0)) return false;
  return twoDigits(t, 11) <= 23 && twoDigits(t, 14) <= 59 && twoDigits(t, 17) <= 59;
}

/**
 * True for a timestamp already in the stored form that names a real instant. Cheap (a pattern
 * and digit arithmetic): the validators use it before the costly Date round trip and the
 * generic ISO-8601 check, which it never contradicts.
 */
export function isCanonicalUtc(timestamp: string): boolean {
  return CANONICAL_UTC.test(timestamp) && inRange(timestamp);
}
