import { describe, expect, it } from "vitest";
import { expectSameRows } from "./random-data.ts";

describe("expectSameRows, the differential suites' comparison", () => {
  it("accepts doubles within 1e-9 relative, NaN for NaN and -0 for 0", () => {
    expectSameRows([{ x: 0.30000000000000004, y: Number.NaN, z: -0 }], [{ x: 0.3, y: Number.NaN, z: 0 }], true);
  });

  it("rejects doubles further apart, and NaN against a number", () => {
    expect(() => expectSameRows([{ x: 1.000001 }], [{ x: 1 }], true)).toThrow();
    expect(() => expectSameRows([{ x: Number.NaN }], [{ x: 0 }], true)).toThrow();
    expect(() => expectSameRows([{ x: 1n }], [{ x: 1 }], true)).toThrow();
  });

  it("compares unordered outputs as multisets, ordered ones in order", () => {
    const rows = [{ k: "a", v: 1 }, { k: "b", v: 2 }, { k: "a", v: 1 }];
    expectSameRows([rows[1], rows[0], rows[2]] as typeof rows, rows, false);
    expect(() => expectSameRows([rows[1], rows[0], rows[2]] as typeof rows, rows, true)).toThrow();
    expect(() => expectSameRows(rows.slice(1), rows, false)).toThrow();
  });

  it("pairs rows whose doubles differ in the last bits when sorting", () => {
    const expected = [{ v: 0.1 + 0.2 }, { v: 0.3 + 1e-7 }];
    expectSameRows([{ v: 0.3 + 1e-7 }, { v: 0.3 }], expected, false);
  });
});
