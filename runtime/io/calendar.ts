/**
 * Proleptic Gregorian calendar arithmetic for date32 (days since 1970-01-01) and timestamp_us
 * (microseconds since the epoch, UTC). Written out rather than going through `Date`, which cannot
 * hold every int32 day and formats years past 9999 as `+010000`.
 */

const MICROS_PER_DAY = 86_400_000_000n;

/** Days since 1970-01-01 of a calendar date; the caller has checked month and day are valid. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Whether `year-month-day` names a real date (month 1..12, day within that month). */
export function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** `yyyy-MM-dd` of a day number (years below 0 or above 9999 get a sign, as ISO 8601 allows). */
export function formatDate(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${formatYear(year)}-${pad2(month)}-${pad2(day)}`;
}

function formatYear(year: number): string {
  if (year >= 0 && year <= 9999) return String(year).padStart(4, "0");
  return `${year < 0 ? "-" : "+"}${String(Math.abs(year)).padStart(4, "0")}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `yyyy-MM-ddTHH:mm:ss.ffffffZ` of microseconds since the epoch. */
export function formatTimestamp(micros: bigint): string {
  let days = micros / MICROS_PER_DAY;
  let rest = micros % MICROS_PER_DAY;
  if (rest < 0n) {
    rest += MICROS_PER_DAY;
    days -= 1n;
  }
  const r = Number(rest);
  const secondsOfDay = Math.floor(r / 1_000_000);
  const fraction = r - secondsOfDay * 1_000_000;
  const hh = Math.floor(secondsOfDay / 3600);
  const mm = Math.floor((secondsOfDay % 3600) / 60);
  const ss = secondsOfDay % 60;
  return `${formatDate(Number(days))}T${pad2(hh)}:${pad2(mm)}:${pad2(ss)}.${String(fraction).padStart(6, "0")}Z`;
}

/** Microseconds since the epoch of a UTC wall-clock time; fields already range-checked. */
export function timestampMicros(days: number, secondsOfDay: number, micros: number, offsetSeconds: number): bigint {
  return BigInt(days) * MICROS_PER_DAY + BigInt(secondsOfDay - offsetSeconds) * 1_000_000n + BigInt(micros);
}
