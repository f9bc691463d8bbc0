import * as arrow from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { columnBuilder } from "../../../runtime/io/column-builder.ts";

const text = new TextEncoder();

/** Appends `values` (null: a null) as text to a builder of `type` sized like `like`; the values Arrow reads back. */
function built(type: "utf8" | "int32" | "float64", values: readonly (string | null)[], like?: { length: number; byteLength: number }) {
  const builder = columnBuilder(type, like);
  for (const v of values) {
    if (v === null) builder.appendNull();
    else {
      const bytes = text.encode(v);
      expect(builder.appendParsed(bytes, 0, bytes.length)).toBe(true);
    }
  }
  const data = builder.finish();
  expect(data.length).toBe(values.length);
  return { builder, read: [...arrow.makeVector(data)] };
}

describe("column builders", () => {
  it("hold what was appended whatever the size of the batch they were sized like", () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null, freq: 6 }), { maxLength: 3000 }),
        fc.nat(5000),
        fc.nat(50_000),
        (ints, length, byteLength) => {
          const like = { length, byteLength };
          const strings = ints.map((n) => (n === null ? null : `v${n}`));
          expect(built("utf8", strings, like).read).toEqual(strings);
          expect(built("int32", ints.map((n) => (n === null ? null : `${n}`)), like).read).toEqual(ints);
          // n.5 for n ≥ 0, -(|n|.5) below.
          expect(built("float64", ints.map((n) => (n === null ? null : `${n}.5`)), like).read).toEqual(ints.map((n) => (n === null ? null : n + (n < 0 || Object.is(n, -0) ? -0.5 : 0.5))));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("tell the rows and bytes they hold, which size the next batch's builders", () => {
    const { builder } = built("utf8", ["ab", null, "cde"]);
    expect([builder.length, builder.byteLength]).toEqual([3, 5]);
    expect(built("int32", ["1", "2"]).builder.byteLength).toBe(0);
  });
});
