import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { col, columnsOf, type Expr, lit } from "../../../plan/expr.ts";
import type { ColumnBatch } from "../../../runtime/exec/columns.ts";
import { compileKernel } from "../../../runtime/exec/kernels.ts";
import { arithmeticKernel } from "../../../runtime/exec/wasm/arithmetic.ts";
import { Scratch, scratchFloats } from "../../../runtime/exec/wasm/heap.ts";
import { schemaOf } from "./fixtures.ts";

const schema = schemaOf({ a: "int32", x: "float64", b: "int32", s: "utf8" });
const ctx = { currentDate: 0, params: {} };

const leaf: fc.Arbitrary<Expr> = fc.oneof(
  fc.constantFrom(col("a"), col("x"), col("b")),
  fc.integer({ min: -5, max: 5 }).map((v) => lit(v, "int32")),
  fc.constantFrom(0.5, -0, 1e300, -2.25).map((v) => lit(v, "float64")),
);
const arithmetic: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.record({ kind: fc.constant("Binary" as const), op: fc.constantFrom("+" as const, "-" as const, "*" as const, "/" as const), left: tie("e"), right: tie("e") }),
    fc.record({ kind: fc.constant("Unary" as const), op: fc.constant("-" as const), operand: tie("e") }),
  ),
})).e;

const int = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 2 ** 31 - 1, -(2 ** 31)));
const float = fc.oneof(fc.double(), fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53 + 1));

describe("arithmetic kernels in WebAssembly", () => {
  it("give the JavaScript kernel's values to the bit (-0, NaN, infinities, products past 2^53)", () => {
    fc.assert(
      fc.property(
        // Typed output is for a binary operator's; a kernel reading no column is not worth a module.
        arithmetic.filter((e) => e.kind === "Binary" && columnsOf(e).size > 0),
        fc.array(fc.tuple(int, float, int), { minLength: 1, maxLength: 40 }),
        (expr, rows) => {
          const batch: ColumnBatch = {
            length: rows.length,
            columns: [Int32Array.from(rows, (r) => r[0]), Float64Array.from(rows, (r) => r[1]), Int32Array.from(rows, (r) => r[2]), []] as unknown as unknown[][],
          };
          const kernel = compileKernel(expr, schema);
          const js = Array.from(kernel(batch, ctx));
          // Into the heap (an aggregate's argument): computed by the WebAssembly module.
          const wasm = arithmeticKernel(expr, schema)?.(batch, scratchFloats(Scratch.Values, rows.length));
          expect(wasm).toBeInstanceOf(Float64Array);
          const got = Array.from(wasm ?? []);
          expect(got.map((v, i) => Object.is(v, js[i]) || (Number.isNaN(v) && Number.isNaN(js[i] as number)))).toEqual(js.map(() => true));
          // Through compileKernel, into the heap, the same.
          expect(Array.from(kernel(batch, ctx, scratchFloats(Scratch.Values, rows.length)))).toEqual(js);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("are made only for arithmetic over int32 and float64 columns, and run only over typed columns into the heap", () => {
    const times = (l: Expr, r: Expr): Expr => ({ kind: "Binary", op: "*", left: l, right: r });
    expect(arithmeticKernel(times(col("a"), col("x")), schema)).toBeDefined();
    expect(arithmeticKernel({ kind: "Binary", op: "+", left: col("s"), right: col("a") }, schema)).toBeUndefined();
    expect(arithmeticKernel({ kind: "Binary", op: "%", left: col("x"), right: col("b") }, schema)).toBeUndefined();
    const kernel = arithmeticKernel(times(col("a"), col("x")), schema);
    const typed: ColumnBatch = { length: 2, columns: [Int32Array.of(3, -4), Float64Array.of(0.5, 2), [], []] as unknown as unknown[][] };
    expect(Array.from(kernel?.(typed, scratchFloats(Scratch.Values, 2)) ?? [])).toEqual([1.5, -8]);
    // A column of JS values, or an output outside the heap: the JavaScript kernel's work.
    expect(kernel?.({ ...typed, columns: [[3, -4], typed.columns[1], [], []] as unknown[][] }, scratchFloats(Scratch.Values, 2))).toBeUndefined();
    expect(kernel?.(typed, new Float64Array(2))).toBeUndefined();
  });
});
