import type { ReasonCode } from '../problems';

/** Two ASCII digits at i as a number, or -1000 (which poisons any range check) if not digits. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1000;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/**
 * Parses an RFC 3339 date-time with a zone (the grammar of TIMESTAMP_PATTERN) to UTC
 * milliseconds, truncating fraction digits beyond milliseconds. Returns NaN when the string is
 * not one; explainTimestamp says why. Hand-written because it runs once per reading: Date.parse
 * also accepts zone-less and non-ISO strings, and a regex is several times slower.
 */
export function parseTimestampMs(s: string): number {
  const length = s.length;
  if (length < 20) return NaN;
  const c0 = s.charCodeAt(0) - 48;
  const c1 = s.charCodeAt(1) - 48;
  const c2 = s.charCodeAt(2) - 48;
  const c3 = s.charCodeAt(3) - 48;
  if (!(c0 >= 0 && c0 <= 9 && c1 >= 0 && c1 <= 9 && c2 >= 0 && c2 <= 9 && c3 >= 0 && c3 <= 9)) {
    return NaN;
  }
  const year = c0 * 1000 + c1 * 100 + c2 * 10 + c3;
  const separator = s.charCodeAt(10);
  if (
    s.charCodeAt(4) !== 45 || // -
    s.charCodeAt(7) !== 45 ||
    (separator !== 84 && separator !== 116 && separator !== 32) || // T t space
    s.charCodeAt(13) !== 58 || // :
    s.charCodeAt(16) !== 58
  ) {
    return NaN;
  }
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  ) {
    return NaN;
  }
  let i = 19;
  let millis = 0;
  if (s.charCodeAt(i) === 46) {
    // '.': at least one digit; the first three make the milliseconds
    i++;
    const fractionStart = i;
    let scale = 100;
    for (;;) {
      const d = s.charCodeAt(i) - 48;
      if (!(d >= 0 && d <= 9)) break;
      millis += d * scale;
      scale /= 10;
      i++;
    }
    if (i === fractionStart) return NaN;
    millis = Math.floor(millis);
  }
  let offsetMinutes: number;
  const zone = s.charCodeAt(i);
  if (zone === 90 || zone === 122) {
    // Z z
    if (i + 1 !== length) return NaN;
    offsetMinutes = 0;
  } else if (zone === 43 || zone === 45) {
    // + -
    if (i + 6 !== length || s.charCodeAt(i + 3) !== 58) return NaN;
    const offsetHour = twoDigits(s, i + 1);
    const offsetMinute = twoDigits(s, i + 4);
    if (offsetHour < 0 || offsetHour > 23 || offsetMinute < 0 || offsetMinute > 59) return NaN;
    offsetMinutes = (zone === 45 ? -1 : 1) * (offsetHour * 60 + offsetMinute);
  } else {
    return NaN;
  }
  return (
    daysFromCivil(year, month, day) * 86_400_000 +
    ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 +
    millis
  );
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => (n < 10 ? `0${n}` : String(n)));

/**
 * What new Date(ms).toISOString() prints, for years 0000 to 9999, several times faster (it
 * runs for every reading whose timestamp is not already canonical). Other years fall back.
 */
export function formatIsoUtc(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  const msOfDay = ms - days * 86_400_000;
  // H. Hinnant's civil_from_days
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36524) -
      Math.floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return new Date(ms).toISOString();
  const seconds = Math.floor(msOfDay / 1000);
  const millis = msOfDay - seconds * 1000;
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  return (
    `${year < 1000 ? String(year).padStart(4, '0') : year}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}` +
    `T${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes - hours * 60]}:${TWO_DIGITS[seconds - minutes * 60]}` +
    `.${millis < 100 ? (millis < 10 ? `00${millis}` : `0${millis}`) : millis}Z`
  );
}

/** True when s is exactly what toISOString() would print for its instant. */
export function isCanonicalTimestamp(s: string): boolean {
  return (
    s.length === 24 &&
    s.charCodeAt(10) === 84 &&
    s.charCodeAt(19) === 46 &&
    s.charCodeAt(23) === 90 &&
    s.charCodeAt(20) - 48 <= 9 &&
    s.charCodeAt(21) - 48 <= 9 &&
    s.charCodeAt(22) - 48 <= 9
  );
}

/**
 * The normalised form of a timestamp: ISO-8601 UTC with milliseconds (toISOString), or
 * undefined when it is not a valid zoned timestamp.
 */
export function normaliseTimestamp(s: string): { iso: string; ms: number } | undefined {
  const ms = parseTimestampMs(s);
  if (Number.isNaN(ms)) return undefined;
  return { iso: isCanonicalTimestamp(s) ? s : formatIsoUtc(ms), ms };
}

/** Why parseTimestampMs rejected s (slow path, only for bad input). */
export function explainTimestamp(
  s: string,
): Extract<ReasonCode, 'empty_string' | 'invalid_timestamp' | 'timestamp_without_zone'> {
  if (s.trim() === '') return 'empty_string';
  return Number.isNaN(parseTimestampMs(`${s}Z`)) ? 'invalid_timestamp' : 'timestamp_without_zone';
}
