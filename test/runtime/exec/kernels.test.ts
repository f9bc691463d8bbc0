import { describe, expect, it } from "vitest";
import { isTsdfError } from "../../../plan/errors.ts";
import { col, type Expr, lit } from "../../../plan/expr.ts";
import { exprType } from "../../../plan/expr-type.ts";
import { isoToDays } from "../../../plan/functions.ts";
import type { ColumnBatch } from "../../../runtime/exec/columns.ts";
import { compileKernel, compilePairKernel, type KernelContext } from "../../../runtime/exec/kernels.ts";
import { schemaOf } from "./fixtures.ts";

const schema = schemaOf({ a: "int32?", b: "float64?", s: "utf8?", t: "utf8?", big: "int64?", d: "date32?", flag: "boolean?" });
const ctx: KernelContext = { currentDate: isoToDays("2024-06-30") as number, params: { min: 5, name: "x", day: "2024-01-02" } };

/** Evaluates `e` over rows given as partial column values (missing columns are null). */
function evalRows(e: Expr, rows: readonly Record<string, unknown>[], truthy = false): unknown[] {
  const batch: ColumnBatch = { length: rows.length, columns: schema.fields.map((f) => rows.map((r) => r[f.name] ?? null)) };
  return compileKernel(e, schema, truthy)(batch, ctx);
}
const one = (e: Expr, row: Record<string, unknown> = {}) => evalRows(e, [row])[0];
const bin = (op: "+" | "-" | "*" | "/" | "%" | "===" | "!==" | "<" | ">=", l: Expr, r: Expr): Expr => ({ kind: "Binary", op, left: l, right: r });
const logical = (op: "&&" | "||" | "??", l: Expr, r: Expr): Expr => ({ kind: "Logical", op, left: l, right: r });
const call = (fn: string, ...args: Expr[]): Expr => ({ kind: "Call", fn, args });

describe("kernels: operators keep their JavaScript meaning", () => {
  it("adds numbers and concatenates strings with +", () => {
    expect(one(bin("+", col("a"), lit(2, "int32")), { a: 40 })).toBe(42);
    expect(one(bin("+", col("s"), col("a")), { s: "n=", a: 3 })).toBe("n=3");
    expect(one(bin("+", col("s"), col("t")), { s: "ab", t: "cd" })).toBe("abcd");
  });

  it("gives arithmetic over columns without nulls as a Float64Array", () => {
    const dense = schemaOf({ x: "int32", y: "float64" });
    const batch: ColumnBatch = { length: 3, columns: [Int32Array.from([1, 2, -3]) as unknown as unknown[], Float64Array.from([0.5, -0, 2]) as unknown as unknown[]] };
    const product = compileKernel(bin("*", col("x"), col("y")), dense)(batch, ctx);
    expect(product).toBeInstanceOf(Float64Array);
    expect(Array.from(product)).toEqual([0.5, -0, -6]);
    // Into the array given (an aggregate's scratch space), when one is.
    const into = new Float64Array(3);
    expect(compileKernel(bin("*", col("x"), col("y")), dense)(batch, ctx, into)).toBe(into);
    expect(Array.from(into)).toEqual([0.5, -0, -6]);
    // A product of ints is exact past 2^31 and never -0 (Spark's ints have none).
    const ints = schemaOf({ x: "int32", z: "int32" });
    const pair: ColumnBatch = { length: 3, columns: [Int32Array.from([0, 65_536, -7]) as unknown as unknown[], Int32Array.from([-5, 65_536, 6]) as unknown as unknown[]] };
    const products = Array.from(compileKernel(bin("*", col("x"), col("z")), ints)(pair, ctx));
    expect(products).toEqual([0, 2 ** 32, -42]);
    expect(Object.is(products[0], 0)).toBe(true);
    // Over nullable columns the values stay a JS array (JavaScript's null * 1 is 0).
    const nullable = evalRows(bin("*", col("a"), col("b")), [{ a: 2, b: 3 }, { a: null, b: 1 }]);
    expect(nullable).not.toBeInstanceOf(Float64Array);
    expect(nullable).toEqual([6, 0]);
  });

  it("keeps the sign of the dividend with %", () => {
    expect(evalRows(bin("%", col("a"), lit(3, "int32")), [{ a: -7 }, { a: 7 }, { a: -6 }])).toEqual([-1, 1, -0]);
    expect(one(bin("%", col("a"), lit(-3, "int32")), { a: 7 })).toBe(1);
  });

  it("gives NaN for an int32 % by zero, so % is int32 only by a non-zero literal", () => {
    expect(evalRows(bin("%", lit(7, "int32"), col("a")), [{ a: 0 }, { a: 4 }])).toEqual([Number.NaN, 3]);
    expect(exprType(bin("%", col("a"), col("a")), [schema]).type).toBe("float64");
    expect(exprType(bin("%", col("a"), lit(0, "int32")), [schema]).type).toBe("float64");
    expect(exprType(bin("%", col("a"), { kind: "Unary", op: "-", operand: lit(3, "int32") }), [schema]).type).toBe("int32");
  });

  it("divides as doubles (no integer division, x/0 is Infinity)", () => {
    expect(one(bin("/", col("a"), lit(2, "int32")), { a: 7 })).toBe(3.5);
    expect(one(bin("/", col("a"), lit(0, "int32")), { a: 1 })).toBe(Number.POSITIVE_INFINITY);
  });

  it("does int64 arithmetic on bigints", () => {
    expect(one(bin("+", col("big"), lit("9007199254740993", "int64")), { big: 1n })).toBe(9007199254740994n);
    expect(one(bin("/", col("big"), lit("2", "int64")), { big: 7n })).toBe(3n);
  });

  it("returns an operand from && and || (JS truthiness)", () => {
    expect(evalRows(logical("||", col("s"), lit("dflt", "utf8")), [{ s: "" }, { s: "x" }, { s: null }])).toEqual(["dflt", "x", "dflt"]);
    expect(evalRows(logical("&&", col("a"), lit(5, "int32")), [{ a: 0 }, { a: 2 }, { a: null }])).toEqual([0, 5, null]);
  });

  it("replaces only null with ??", () => {
    expect(evalRows(logical("??", col("a"), lit(9, "int32")), [{ a: 0 }, { a: null }, { a: 3 }])).toEqual([0, 9, 3]);
  });

  it("compares with === (NaN is not equal to itself) and <", () => {
    expect(evalRows(bin("===", col("b"), col("b")), [{ b: 1 }, { b: Number.NaN }])).toEqual([true, false]);
    expect(one(bin("<", col("s"), col("t")), { s: "B", t: "a" })).toBe(true);
    expect(one(bin("===", col("a"), lit(null, "null")), { a: null })).toBe(true);
  });

  it("compares a null date as a lambda does (ISO strings: false, but null <= null is true)", () => {
    const day = lit(isoToDays("2024-01-02") as number, "date32");
    const rows = [{ d: null }, { d: isoToDays("2023-12-31") }, { d: isoToDays("2024-01-03") }];
    expect(evalRows(bin("<", col("d"), day), rows)).toEqual([false, true, false]);
    expect(evalRows(bin(">=", col("d"), day), rows)).toEqual([false, false, true]);
    expect(evalRows({ kind: "Binary", op: "<=", left: col("d"), right: col("d") }, rows)).toEqual([true, true, true]);
    expect(evalRows({ kind: "Binary", op: ">", left: col("d"), right: col("d") }, rows)).toEqual([false, false, false]);
  });

  it("treats a date as truthy even on day 0, as the ISO string a lambda sees", () => {
    expect(evalRows({ kind: "Unary", op: "!", operand: col("d") }, [{ d: 0 }, { d: null }])).toEqual([false, true]);
    const test: Expr = { kind: "Conditional", test: col("d"), whenTrue: lit("yes", "utf8"), whenFalse: lit("no", "utf8") };
    expect(evalRows(test, [{ d: 0 }, { d: null }])).toEqual(["yes", "no"]);
  });

  it("evaluates ?: and unary minus", () => {
    const e: Expr = { kind: "Conditional", test: bin(">=", col("a"), lit(10, "int32")), whenTrue: lit("big", "utf8"), whenFalse: lit("small", "utf8") };
    expect(evalRows(e, [{ a: 10 }, { a: 3 }])).toEqual(["big", "small"]);
    expect(one({ kind: "Unary", op: "-", operand: col("a") }, { a: -4 })).toBe(4);
  });

  it("tests nulls with IsNull", () => {
    expect(evalRows({ kind: "IsNull", operand: col("s"), negated: false }, [{ s: null }, { s: "" }])).toEqual([true, false]);
    expect(evalRows({ kind: "IsNull", operand: col("s"), negated: true }, [{ s: null }, { s: "" }])).toEqual([false, true]);
  });
});

describe("kernels: functions and casts", () => {
  it("returns null from a function when an argument is null", () => {
    expect(evalRows(call("upper", col("s")), [{ s: "straße" }, { s: null }])).toEqual(["STRASSE", null]);
    expect(one(call("concat", col("s"), col("t")), { s: "a", t: null })).toBeNull();
    expect(one(call("round", col("b"), lit(2, "int32")), { b: 1.005 })).toBe(1.01);
  });

  it("lets coalesce see nulls", () => {
    expect(evalRows(call("coalesce", col("s"), col("t"), lit("z", "utf8")), [{ s: null, t: "t" }, { s: null, t: null }])).toEqual(["t", "z"]);
  });

  it("reads current_date from the run", () => {
    expect(one(call("datediff", call("current_date"), col("d")), { d: isoToDays("2024-06-01") })).toBe(29);
  });

  it("casts strings to dates and dates to strings", () => {
    expect(evalRows({ kind: "Cast", operand: col("s"), to: "date32" }, [{ s: "2024-02-29" }, { s: "2023-02-29" }, { s: null }])).toEqual([
      isoToDays("2024-02-29"),
      null,
      null,
    ]);
    expect(one({ kind: "Cast", operand: col("d"), to: "utf8" }, { d: 0 })).toBe("1970-01-01");
    expect(one({ kind: "Cast", operand: col("a"), to: "float64" }, { a: 3 })).toBe(3);
    expect(one({ kind: "Cast", operand: col("b"), to: "int64" }, { b: -3.7 })).toBe(-3n);
  });

  it("turns date literals into days", () => {
    expect(one(bin(">=", col("d"), lit("2024-01-03", "date32")), { d: isoToDays("2024-01-03") })).toBe(true);
  });

  it("reads parameters with their declared type", () => {
    expect(one(bin(">=", col("a"), { kind: "Param", name: "min", type: "int32" }), { a: 5 })).toBe(true);
    expect(one({ kind: "Param", name: "day", type: "date32" })).toBe(isoToDays("2024-01-02"));
  });

  it("applies JS truthiness for filters", () => {
    expect(evalRows(col("a"), [{ a: 0 }, { a: 2 }, { a: null }], true)).toEqual([0, 2, null]);
    expect(evalRows(col("d"), [{ d: 0 }, { d: null }], true)).toEqual([true, false]);
  });

  it("reports a failing expression as a tsdf error", () => {
    let err: unknown;
    try {
      one(bin("/", col("big"), lit("0", "int64")), { big: 1n });
    } catch (e) {
      err = e;
    }
    expect(isTsdfError(err)).toBe(true);
    expect((err as Error).message).toContain("(big / 0n)");
  });
});

describe("pair kernels (join conditions)", () => {
  it("reads left row i and right row j", () => {
    const left = schemaOf({ k: "utf8", x: "float64" });
    const right = schemaOf({ k: "utf8", w: "float64" });
    const cond: Expr = logical("&&", bin("===", col("k", 0), col("k", 1)), bin(">=", col("x", 0), col("w", 1)));
    const test = compilePairKernel(cond, left, right)(
      { length: 2, columns: [["a", "b"], [1, 5]] },
      { length: 2, columns: [["a", "b"], [2, 5]] },
      ctx,
    );
    expect([test(0, 0), test(1, 1), test(0, 1)]).toEqual([false, true, false]);
  });
});
