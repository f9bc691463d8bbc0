import { describe, expect, it } from "vitest";
import { formatDate, formatTimestamp } from "../../../runtime/io/calendar.ts";
import { parseBoolean, parseDate32, parseFloat64, parseInt32, parseInt64, parseTimestampUs } from "../../../runtime/io/value-parsers.ts";

const enc = new TextEncoder();
function on<T>(parse: (b: Uint8Array, s: number, e: number) => T): (text: string) => T {
  return (text) => {
    // Surround the text with other bytes so parsers must respect their span.
    const b = enc.encode(`9${text}9`);
    return parse(b, 1, b.length - 1);
  };
}

describe("value parsers", () => {
  it("int32 accepts the full range and rejects anything else", () => {
    const p = on(parseInt32);
    expect([p("0"), p("-2147483648"), p("2147483647"), p("+5"), p("007")]).toEqual([0, -2147483648, 2147483647, 5, 7]);
    for (const bad of ["2147483648", "-2147483649", "1.0", "1e3", "", "-", " 1", "1 ", "0x10", "12abc"]) expect(p(bad)).toBeUndefined();
  });

  it("int64 keeps every digit of values beyond 2^53", () => {
    const p = on(parseInt64);
    expect(p("9007199254740993")).toBe(9007199254740993n);
    expect(p("-9223372036854775808")).toBe(-9223372036854775808n);
    expect(p("9223372036854775807")).toBe(9223372036854775807n);
    for (const bad of ["9223372036854775808", "1.5", "", "abc"]) expect(p(bad)).toBeUndefined();
  });

  it("float64 reads decimal literals exactly as Number does", () => {
    const p = on(parseFloat64);
    for (const s of ["1.5", "-0.1", ".5", "5.", "1e10", "1E-7", "123456789012345678901234567890", "0.30000000000000004", "2.2250738585072014e-308", "-0"]) {
      expect(p(s)).toBe(Number(s));
    }
    expect(Object.is(p("-0"), -0)).toBe(true);
    expect(p("NaN")).toBeNaN();
    expect(p("Infinity")).toBe(Number.POSITIVE_INFINITY);
    expect(p("-Infinity")).toBe(Number.NEGATIVE_INFINITY);
    for (const bad of ["12abc", "", ".", "e5", "1e", "0x10", " 1", "1,5", "inf", "-NaN"]) expect(p(bad)).toBeUndefined();
  });

  it("float64 agrees with Number on random decimal text", () => {
    const p = on(parseFloat64);
    for (let i = 0; i < 2000; i++) {
      const digits = String(Math.floor(Math.random() * 1e15));
      const cut = Math.floor(Math.random() * digits.length);
      const s = `${digits.slice(0, cut)}.${digits.slice(cut)}e${Math.floor(Math.random() * 40) - 20}`;
      expect(p(s)).toBe(Number(s));
    }
  });

  it("boolean is true/false in any case", () => {
    const p = on(parseBoolean);
    expect([p("true"), p("FALSE"), p("True")]).toEqual([true, false, true]);
    for (const bad of ["1", "yes", "t", ""]) expect(p(bad)).toBeUndefined();
  });

  it("date32 accepts real calendar dates only", () => {
    const p = on(parseDate32);
    expect(p("1970-01-01")).toBe(0);
    expect(p("2024-02-29")).toBe(19782);
    expect(p("1969-12-31")).toBe(-1);
    for (const bad of ["2023-02-29", "2024-13-01", "2024-00-10", "2024-1-5", "2024/01/05", "20240105", ""]) expect(p(bad)).toBeUndefined();
  });

  it("timestamp_us reads ISO 8601 as UTC microseconds", () => {
    const p = on(parseTimestampUs);
    expect(p("1970-01-01T00:00:00Z")).toBe(0n);
    expect(p("1970-01-01 00:00:01.5")).toBe(1_500_000n);
    expect(p("2024-01-01T01:02:03.123456Z")).toBe(1704070923123456n);
    expect(p("2024-01-01T01:02:03.1234569")).toBe(1704070923123456n);
    expect(p("2024-01-01T03:02:03+02:00")).toBe(1704070923000000n);
    expect(p("2024-01-01")).toBe(1704067200000000n);
    expect(p("1969-12-31T23:59:59.999999Z")).toBe(-1n);
    for (const bad of ["2024-01-01T25:00:00", "2024-01-01T10", "2024-01-01T10:00:00.", "2024-02-30T00:00:00", "2024-01-01T10:00:00X", "x"]) {
      expect(p(bad)).toBeUndefined();
    }
  });

  it("formats dates and timestamps back to the text they were parsed from", () => {
    const d = on(parseDate32);
    const t = on(parseTimestampUs);
    for (const s of ["1970-01-01", "2000-02-29", "1900-03-01", "0001-01-01", "9999-12-31"]) expect(formatDate(d(s) as number)).toBe(s);
    for (const s of ["1970-01-01T00:00:00.000000Z", "1969-12-31T23:59:59.999999Z", "2024-06-30T12:34:56.000001Z"]) {
      expect(formatTimestamp(t(s) as bigint)).toBe(s);
    }
  });
});
