import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  abs,
  avg,
  coalesce,
  concat,
  count,
  countDistinct,
  currentDate,
  dateAdd,
  dateDiff,
  dayOfMonth,
  first,
  floor,
  last,
  length,
  lower,
  max,
  min,
  month,
  round,
  stddev,
  substring,
  sum,
  toDate,
  trim,
  type TsDate,
  upper,
  year,
} from "tsdf";
import { type AggregationPass, setAggregationPass, setCurrentDate } from "../../stdlib/functions.ts";

/* The stdlib functions run as plain JavaScript keep Spark's meaning (checked on Spark 4.0.1). */

const d = (s: string) => s as TsDate;

describe("round", () => {
  it("rounds HALF_UP on the shortest decimal form, not on the binary double", () => {
    expect(round(1.005, 2)).toBe(1.01);
    expect(round(0.285, 2)).toBe(0.29);
    expect(round(1.0049, 2)).toBe(1);
  });

  it("rounds halves away from zero", () => {
    expect(round(-0.25, 1)).toBe(-0.3);
    expect(round(2.5)).toBe(3);
    expect(round(-2.5)).toBe(-3);
    expect(round(0.5)).toBe(1);
  });

  it("takes a negative scale", () => {
    expect(round(1250, -2)).toBe(1300);
    expect(round(1234.5678, -2)).toBe(1200);
  });

  it("keeps values already within the scale, bigints, NaN and null", () => {
    expect(round(12.3, 2)).toBe(12.3);
    expect(round(7n)).toBe(7n);
    expect(round(Number.NaN, 2)).toBeNaN();
    expect(round(null, 2)).toBeNull();
  });
});

describe("strings", () => {
  it("upper and lower use full Unicode case mapping", () => {
    expect(upper("Straße")).toBe("STRASSE");
    expect(lower("ÀB")).toBe("àb");
  });

  it("length counts code points", () => {
    expect(length("🙂ok")).toBe(3);
    expect(length("")).toBe(0);
  });

  it("substring is 1-based; 0 counts as 1; a negative position counts from the end", () => {
    expect(substring("Spark SQL", 5)).toBe("k SQL");
    expect(substring("Spark SQL", -3)).toBe("SQL");
    expect(substring("Spark SQL", 5, 1)).toBe("k");
    expect(substring("abc", 0, 2)).toBe("ab");
    expect(substring("abc", 1, 2)).toBe("ab");
  });

  it("substring clamps out-of-range positions and lengths like Spark", () => {
    expect(substring("abc", -5, 3)).toBe("a");
    expect(substring("abc", 5, 2)).toBe("");
    expect(substring("abc", 2, 0)).toBe("");
    expect(substring("abc", 2, -1)).toBe("");
    expect(substring("abc", 2, 100)).toBe("bc");
  });

  it("substring counts code points", () => {
    expect(substring("🙂ok", 2, 1)).toBe("o");
    expect(substring("a🙂b", -2, 1)).toBe("🙂");
  });

  it("trim removes spaces only, not tabs or newlines", () => {
    expect(trim("  a b  ")).toBe("a b");
    expect(trim(" \ta\n ")).toBe("\ta\n");
    expect(trim("\u00a0x")).toBe("\u00a0x");
  });

  it("concat is null when any argument is null", () => {
    expect(concat("a", "b", "c")).toBe("abc");
    expect(concat("a", null)).toBeNull();
  });

  it("string functions of null are null", () => {
    expect(upper(null)).toBeNull();
    expect(trim(null)).toBeNull();
    expect(length(null)).toBeNull();
    expect(substring(null, 1, 2)).toBeNull();
  });
});

describe("dates", () => {
  it("toDate parses real calendar dates only", () => {
    expect(toDate("2024-02-29")).toBe("2024-02-29");
    expect(toDate("2024-02-30")).toBeNull();
    expect(toDate("2023-02-29")).toBeNull();
    expect(toDate("2024-13-01")).toBeNull();
    expect(toDate("not a date")).toBeNull();
    expect(toDate(null)).toBeNull();
  });

  it("toDate reads any proleptic Gregorian date of years 0001–9999, by the ISO form or a pattern", () => {
    const pad = (n: number, width: number) => String(n).padStart(width, "0");
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (y, m, d) => {
        // Date's own calendar is proleptic Gregorian too; setUTCFullYear takes years below 100 as they are.
        const ref = new Date(0);
        ref.setUTCFullYear(y, m - 1, d);
        const real = m >= 1 && m <= 12 && ref.getUTCMonth() === m - 1 && ref.getUTCDate() === d;
        const want = real ? `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}` : null;
        expect(toDate(`${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`)).toBe(want);
        expect(toDate(`${pad(d, 2)}/${pad(m, 2)}/${pad(y, 4)}`, "dd/MM/yyyy")).toBe(want);
      }),
      { numRuns: 2000 },
    );
    expect(toDate("2024-02-2x")).toBeNull();
    expect(toDate("2024-02-290")).toBeNull();
  });

  it("toDate takes a Java-style pattern", () => {
    expect(toDate("15/01/2024", "dd/MM/yyyy")).toBe("2024-01-15");
    expect(toDate("2024-1-5", "yyyy-M-d")).toBe("2024-01-05");
  });

  it("dateDiff counts days from start to end, across leap days", () => {
    expect(dateDiff(d("2024-03-01"), d("2024-02-01"))).toBe(29);
    expect(dateDiff(d("2024-06-30"), d("2023-03-15"))).toBe(473);
    expect(dateDiff(d("2024-01-01"), d("2024-01-31"))).toBe(-30);
    expect(dateDiff(d("2024-01-01"), toDate("bad"))).toBeNull();
  });

  it("dateAdd, year, month and dayOfMonth", () => {
    expect(dateAdd(d("2024-02-28"), 2)).toBe("2024-03-01");
    expect(dateAdd(d("2024-01-01"), -1)).toBe("2023-12-31");
    expect(year(d("2024-02-28"))).toBe(2024);
    expect(month(d("2024-02-28"))).toBe(2);
    expect(dayOfMonth(d("2024-02-28"))).toBe(28);
  });

  it("currentDate is pinned per run", () => {
    setCurrentDate("2024-06-30");
    try {
      expect(currentDate()).toBe("2024-06-30");
    } finally {
      setCurrentDate(null);
    }
    expect(currentDate()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe("math and nulls", () => {
  it("abs and floor", () => {
    expect(abs(-2.5)).toBe(2.5);
    expect(abs(-3n)).toBe(3n);
    expect(floor(-2.5)).toBe(-3);
  });

  it("coalesce returns the first non-null argument", () => {
    expect(coalesce(null, "b", "c")).toBe("b");
    expect(coalesce(null, null)).toBeNull();
  });

  it("an aggregate outside agg() is an error", () => {
    expect(() => sum(1)).toThrow(/inside agg\(\)/);
  });
});

describe("aggregates (collected per row, finished per group)", () => {
  /** Runs `f` over `xs` as the reference evaluator does: collect each value, then finish once. */
  function aggregateOver<T>(xs: readonly unknown[], f: (x: never) => T): T {
    const collect: AggregationPass = { phase: "collect", next: 0, inputs: [], fns: [] };
    setAggregationPass(collect);
    try {
      for (const x of xs) {
        collect.next = 0;
        f(x as never);
      }
      setAggregationPass({ phase: "finish", next: 0, inputs: collect.inputs, fns: collect.fns });
      return f(null as never);
    } finally {
      setAggregationPass(null);
    }
  }

  it("count() counts rows, count(x) skips nulls, countDistinct ignores null and -0", () => {
    expect(aggregateOver([1, null, 1], () => count())).toBe(3n);
    expect(aggregateOver([1, null, 1], (x: number | null) => count(x))).toBe(2n);
    expect(aggregateOver([0, -0, null, Number.NaN, Number.NaN], (x: number | null) => countDistinct(x))).toBe(2n);
  });

  it("sum, avg and min of only nulls (or no rows) are null", () => {
    expect(aggregateOver([null, null], (x: number | null) => sum(x))).toBeNull();
    expect(aggregateOver([], (x: number | null) => avg(x))).toBeNull();
    expect(aggregateOver([null], (x: number | null) => min(x))).toBeNull();
  });

  it("sum keeps bigints exact; avg of bigints is a number", () => {
    expect(aggregateOver([9007199254740993n, 1n], (x: bigint) => sum(x))).toBe(9007199254740994n);
    expect(aggregateOver([1n, 2n], (x: bigint) => avg(x))).toBe(1.5);
  });

  it("max and min put NaN above every number, as Spark does", () => {
    expect(aggregateOver([1, Number.NaN, 2], (x: number) => max(x))).toBeNaN();
    expect(aggregateOver([Number.NaN, 1, 2], (x: number) => min(x))).toBe(1);
    expect(aggregateOver([Number.NaN, Number.NaN], (x: number) => min(x))).toBeNaN();
  });

  it("max and min order strings by code point, as Spark does", () => {
    expect(aggregateOver(["\uffff", "🙂", "a"], (x: string) => max(x))).toBe("🙂");
    expect(aggregateOver(["\uffff", "🙂", "b"], (x: string) => min(x))).toBe("b");
  });

  it("stddev is the sample standard deviation", () => {
    expect(aggregateOver([2, 4, 4, 4, 5, 5, 7, 9], (x: number) => round(stddev(x), 6))).toBe(2.13809);
    expect(aggregateOver([1], (x: number) => stddev(x))).toBeNull();
  });

  it("first and last follow input order and keep nulls", () => {
    expect(aggregateOver([null, 1, 2], (x: number | null) => first(x))).toBeNull();
    expect(aggregateOver([null, 1, 2], (x: number | null) => last(x))).toBe(2);
  });
});
