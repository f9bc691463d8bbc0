import { describe, expect, it } from "vitest";
import * as b from "../../../plan/builder.ts";
import { col, type Expr, lit } from "../../../plan/expr.ts";
import { agg, pipelineOf, rowsOf, run, sorted, table } from "./fixtures.ts";

const sales = table("sales", { id: "int32", k: "utf8?", x: "float64?", q: "int32?", big: "int64?", d: "date32?" }, [
  { id: 1, k: "a", x: 1.5, q: 2, big: 10n, d: "2024-01-03" },
  { id: 2, k: "b", x: null, q: null, big: null, d: null },
  { id: 3, k: "a", x: 2, q: 5, big: 5n, d: "2024-01-01" },
  { id: 4, k: null, x: 4, q: 1, big: 1n, d: "2024-02-01" },
  { id: 5, k: "c", x: Number.NaN, q: 7, big: 2n, d: "2023-12-31" },
  { id: 6, k: "a", x: -1, q: 5, big: 3n, d: "2024-01-02" },
]);
const other = table("other", { k: "utf8?", w: "float64" }, [
  { k: "a", w: 10 },
  { k: "c", w: 30 },
  { k: "a", w: 11 },
  { k: "z", w: 99 },
  { k: null, w: 0 },
]);
const tables = [sales, other];
const gt = (l: Expr, r: Expr): Expr => ({ kind: "Binary", op: ">", left: l, right: r });

describe("FilterExec and ProjectionExec", () => {
  it("keeps rows whose predicate is truthy", async () => {
    const rows = await rowsOf(b.filter(sales.scan, gt(col("q"), lit(2, "int32"))), tables);
    expect(rows.map((r) => r.id)).toEqual([3, 5, 6]);
  });

  it("computes new columns", async () => {
    const p = b.project(sales.scan, [
      { name: "id", expr: col("id") },
      { name: "label", expr: { kind: "Binary", op: "+", left: lit("#", "utf8"), right: col("id") } },
    ]);
    const rows = await rowsOf(p, tables);
    expect(rows[0]).toEqual({ id: 1, label: "#1" });
    expect(rows).toHaveLength(6);
  });
});

describe("HashAggregateExec", () => {
  it("computes every aggregate per key, with null keys grouped together", async () => {
    const a = b.aggregate(sales.scan, ["k"], [
      { name: "n", expr: agg("count") },
      { name: "nx", expr: agg("count", "x") },
      { name: "sx", expr: agg("sum", "q") },
      { name: "sb", expr: agg("sum", "big") },
      { name: "mean", expr: agg("avg", "q") },
      { name: "lo", expr: agg("min", "d") },
      { name: "hi", expr: agg("max", "x") },
      { name: "f", expr: agg("first", "id") },
      { name: "l", expr: agg("last", "id") },
      { name: "cd", expr: agg("count_distinct", "q") },
      { name: "sd", expr: agg("stddev", "q") },
    ]);
    const rows = await rowsOf(a, tables, 3);
    const byKey = new Map(rows.map((r) => [r.k, r]));
    expect(byKey.get("a")).toEqual({ k: "a", n: 3n, nx: 3n, sx: 12, sb: 18n, mean: 4, lo: "2024-01-01", hi: 2, f: 1, l: 6, cd: 2n, sd: Math.sqrt(3) });
    expect(byKey.get("b")).toEqual({ k: "b", n: 1n, nx: 0n, sx: null, sb: null, mean: null, lo: null, hi: null, f: 2, l: 2, cd: 0n, sd: null });
    expect(byKey.get(null)?.n).toBe(1n);
    expect(byKey.get("c")?.hi).toBeNaN();
  });

  it("groups by string keys it reads only as codes, and by keys an aggregate also reads", async () => {
    for (const partitions of [1, 2, 3]) {
      // k and o reach the aggregate codes-only (no aggregate reads them); x is a key max() reads too.
      const keyed = table("keyed", { k: "utf8?", o: "utf8", x: "utf8" }, [
        { k: "a", o: "p", x: "m" },
        { k: null, o: "q", x: "n" },
        { k: "a", o: "p", x: "n" },
        { k: "b", o: "q", x: "m" },
        { k: "a", o: "p", x: "m" },
      ]);
      const byKeys = await rowsOf(b.aggregate(keyed.scan, ["k", "o"], [{ name: "n", expr: agg("count") }]), [keyed], partitions);
      expect(sorted(byKeys)).toEqual(sorted([{ k: "a", o: "p", n: 3n }, { k: null, o: "q", n: 1n }, { k: "b", o: "q", n: 1n }]));
      const read = await rowsOf(b.aggregate(keyed.scan, ["x"], [{ name: "hi", expr: agg("max", "x") }, { name: "kinds", expr: agg("count_distinct", "k") }]), [keyed], partitions);
      expect(sorted(read)).toEqual(sorted([{ x: "m", hi: "m", kinds: 2n }, { x: "n", hi: "n", kinds: 1n }]));
    }
  });

  it("folds numbers with nulls that reach it typed (a scan's, a left join's right side) as it folds them boxed", async () => {
    const scores = table("scores", { k: "utf8", n: "int32", f: "float64" }, [
      { k: "a", n: 4, f: 0.5 },
      { k: "c", n: -2, f: 8 },
      { k: "a", n: 7, f: -1.25 },
    ]);
    const joined = b.join(sales.scan, scores.scan, { kind: "using", columns: ["k"] }, "left");
    const folds = (c: string) => (["sum", "avg", "min", "max", "count"] as const).map((fn) => ({ name: `${fn}_${c}`, expr: agg(fn, c) }));
    // Over the join: n and f only folded (typed, with nulls where no score matched); q also read by an expression (boxed).
    const overJoin = b.aggregate(joined, ["id"], [...folds("n"), ...folds("f"), { name: "q2", expr: { kind: "Agg", fn: "sum", arg: { kind: "Binary", op: "*", left: col("q"), right: lit(2, "int32") } } }, ...folds("q")]);
    // Over the scan: its int32 and float64 columns with nulls, only folded.
    const overScan = b.aggregate(sales.scan, ["k"], [...folds("q"), ...folds("x")]);
    for (const [plan, key] of [[overJoin, "id"], [overScan, "k"]] as const) {
      const input = await rowsOf(plan === overJoin ? joined : sales.scan, [...tables, scores], 1);
      const columns = plan === overJoin ? ["n", "f", "q"] : ["q", "x"];
      const expected = new Map<unknown, Record<string, unknown>>();
      for (const k of new Set(input.map((r) => r[key]))) {
        const rows = input.filter((r) => r[key] === k);
        const e: Record<string, unknown> = { [key]: k };
        for (const c of columns) {
          const vs = rows.map((r) => r[c]).filter((v): v is number => v !== null);
          const sum = vs.reduce((s, v) => s + v, 0);
          Object.assign(e, {
            [`sum_${c}`]: vs.length === 0 ? null : sum,
            [`avg_${c}`]: vs.length === 0 ? null : sum / vs.length,
            [`min_${c}`]: vs.length === 0 ? null : Math.min(...vs),
            [`max_${c}`]: vs.length === 0 ? null : vs.some(Number.isNaN) ? Number.NaN : Math.max(...vs),
            [`count_${c}`]: BigInt(vs.length),
          });
        }
        // A row expression keeps JS semantics: null * 2 is 0.
        if (plan === overJoin) e.q2 = rows.reduce((s, r) => s + (r.q as number) * 2, 0);
        expected.set(k, e);
      }
      for (const partitions of [1, 3]) {
        const got = await rowsOf(plan, [...tables, scores], partitions);
        expect(new Map(got.map((r) => [r[key], r]))).toEqual(expected);
      }
    }
  });

  it("returns one row for a global aggregate over no rows", async () => {
    const empty = b.filter(sales.scan, lit(false, "boolean"));
    const rows = await rowsOf(b.aggregate(empty, [], [{ name: "n", expr: agg("count") }, { name: "s", expr: agg("sum", "x") }]), tables, 3);
    expect(rows).toEqual([{ n: 0n, s: null }]);
  });

  it("sums doubles exactly, whatever the partitioning", async () => {
    const t = table("f", { v: "float64" }, [0.1, 0.2, 0.3, 1e16, -1e16, 0.7].map((v) => ({ v })));
    const s = b.aggregate(t.scan, [], [{ name: "s", expr: agg("sum", "v") }]);
    const results = await Promise.all([1, 2, 3, 6].map((n) => rowsOf(s, [t], n)));
    for (const r of results) expect(r).toEqual(results[0]);
    expect(results[0]?.[0]?.s).toBeCloseTo(1.3, 12);
  });
});

describe("HashJoinExec", () => {
  const join = async (how: "inner" | "left" | "right" | "full" | "semi" | "anti") =>
    sorted(await rowsOf(b.join(sales.scan, other.scan, { kind: "using", columns: ["k"] }, how), tables, 3));

  it("inner: matching keys only; null keys never match", async () => {
    const rows = await join("inner");
    expect(rows.map((r) => [r.id, r.w])).toEqual(
      expect.arrayContaining([
        [1, 10],
        [1, 11],
        [3, 10],
        [5, 30],
      ]),
    );
    expect(rows).toHaveLength(7);
    expect(Object.keys(rows[0] ?? {})).toEqual(["k", "id", "x", "q", "big", "d", "w"]);
  });

  it("pairs a left row with each right row of its key even when there are as many pairs as left rows", async () => {
    const l = table("l", { id: "int32", k: "utf8" }, ["a", "b", "c"].map((k, i) => ({ id: i + 1, k })));
    const r = table("r", { k: "utf8", w: "int32" }, [{ k: "a", w: 1 }, { k: "a", w: 2 }, { k: "c", w: 3 }]);
    for (const partitions of [1, 2]) {
      const rows = sorted(await rowsOf(b.join(l.scan, r.scan, { kind: "using", columns: ["k"] }, "inner"), [l, r], partitions));
      expect(rows.map((row) => [row.id, row.w])).toEqual([
        [1, 1],
        [1, 2],
        [3, 3],
      ]);
    }
  });

  it("left keeps unmatched left rows with nulls", async () => {
    const rows = await join("left");
    expect(rows).toHaveLength(9);
    expect(rows.find((r) => r.id === 4)).toMatchObject({ k: null, w: null });
  });

  it("right keeps unmatched right rows, key from the right", async () => {
    const rows = await join("right");
    expect(rows).toHaveLength(9);
    const unmatched = rows.filter((r) => r.id === null).map((r) => r.k);
    expect(unmatched).toHaveLength(2);
    expect(unmatched).toEqual(expect.arrayContaining([null, "z"]));
  });

  it("full keeps both sides' unmatched rows once", async () => {
    const rows = await join("full");
    expect(rows).toHaveLength(11);
  });

  it("semi and anti return left rows", async () => {
    expect((await join("semi")).map((r) => r.id).sort()).toEqual([1, 3, 5, 6]);
    expect((await join("anti")).map((r) => r.id).sort()).toEqual([2, 4]);
  });

  it("an aggregate over a join, which makes only the columns read, sums what the whole rows sum", async () => {
    for (const how of ["inner", "left", "right", "full", "semi", "anti"] as const) {
      const joined = b.join(sales.scan, other.scan, { kind: "using", columns: ["k"] }, how);
      const reads = how === "semi" || how === "anti" ? ["id", "q"] : ["id", "w"];
      const aggs = [{ name: "rows", expr: agg("count") }, ...reads.map((c) => ({ name: c, expr: agg("sum", c) }))];
      const [got] = await rowsOf(b.aggregate(joined, [], aggs), tables, 3);
      const whole = await join(how);
      const sum = (c: string) => whole.reduce<number | null>((s, r) => (r[c] === null ? s : (s ?? 0) + Number(r[c])), null);
      expect(got).toEqual({ rows: BigInt(whole.length), ...Object.fromEntries(reads.map((c) => [c, sum(c) === null ? null : expect.closeTo(sum(c) as number, 9)])) });
    }
  });
});

describe("HashAggregateExec over computed values", () => {
  it("sums and averages an expression computed into the heap while the groups grow it", async () => {
    // 60,000 rows over 30,000 groups: the states grow (and the heap with them) batch after batch.
    const rows = Array.from({ length: 60_000 }, (_, i) => ({ k: (i * 7919) % 30_000, x: (i % 1000) / 8, q: i % 13 }));
    const big = table("big", { k: "int32", x: "float64", q: "int32" }, rows);
    const times = (l: Expr, r: Expr): Expr => ({ kind: "Binary", op: "*", left: l, right: r });
    // The aggregates' arguments are expressions, which their kernels compute for each batch.
    const plan = b.aggregate(
      big.scan,
      ["k"],
      [
        { name: "sy", expr: { kind: "Agg", fn: "sum", arg: times(col("x"), col("q")) } },
        { name: "az", expr: { kind: "Agg", fn: "avg", arg: times(col("q"), col("q")) } },
      ],
    );
    const expected = new Map<number, { sy: number; z: number; n: number }>();
    for (const r of rows) {
      const e = expected.get(r.k) ?? { sy: 0, z: 0, n: 0 };
      // Exact in doubles: multiples of 1/8 below 2^40.
      e.sy += r.x * r.q;
      e.z += r.q * r.q;
      e.n++;
      expected.set(r.k, e);
    }
    for (const partitions of [1, 3]) {
      const got = await rowsOf(plan, [big], partitions);
      expect(got).toHaveLength(expected.size);
      for (const r of got) {
        const e = expected.get(r.k as number);
        expect([r.sy, r.az]).toEqual([e?.sy, (e?.z ?? 0) / (e?.n ?? 1)]);
      }
    }
  });
});

describe("HashAggregateExec over an aggregate", () => {
  it("gives what the whole inner rows give, whichever of their keys and results the outer one reads", async () => {
    const inner = b.aggregate(sales.scan, ["k", "q"], [{ name: "s", expr: agg("sum", "big") }, { name: "n", expr: agg("count") }]);
    const rows = await rowsOf(inner, tables, 2);
    for (const [read, fn] of [["q", "max"], ["s", "sum"], ["k", "max"], ["n", "sum"]] as const) {
      for (const partitions of [1, 3]) {
        const [got] = await rowsOf(b.aggregate(inner, [], [{ name: "c", expr: agg("count") }, { name: "v", expr: agg(fn, read) }]), tables, partitions);
        const values = rows.map((r) => r[read]).filter((v) => v !== null) as (number | bigint | string)[];
        const expected = fn === "sum" ? values.reduce<number | bigint>((a, v) => (typeof v === "bigint" ? BigInt(a) + v : Number(a) + Number(v)), typeof values[0] === "bigint" ? 0n : 0) : [...values].sort().at(-1);
        expect(got).toEqual({ c: BigInt(rows.length), v: typeof expected === "number" ? expect.closeTo(expected, 9) : expected });
      }
    }
  });
});

describe("NestedLoopJoinExec", () => {
  const cond: Expr = {
    kind: "Logical",
    op: "&&",
    left: { kind: "Binary", op: "===", left: col("k", 0), right: col("k", 1) },
    right: gt(col("w", 1), { kind: "Binary", op: "*", left: col("q", 0), right: lit(2, "int32") }),
  };
  const renamed = b.project(other.scan, [
    { name: "k2", expr: col("k") },
    { name: "w", expr: col("w") },
  ]);

  it("inner join on a condition (JS ===: null equals null)", async () => {
    const rows = await rowsOf(b.join(sales.scan, b.project(other.scan, [{ name: "ok", expr: col("k") }, { name: "w", expr: col("w") }]), { kind: "condition", predicate: { kind: "Binary", op: "===", left: col("k", 0), right: col("ok", 1) } }, "inner"), tables, 3);
    expect(rows.find((r) => r.id === 4)).toMatchObject({ k: null, ok: null });
  });

  it("full join emits unmatched right rows exactly once", async () => {
    const c: Expr = { kind: "Binary", op: "===", left: col("k", 0), right: col("k2", 1) };
    for (const n of [1, 3, 7]) {
      const rows = await rowsOf(b.join(sales.scan, renamed, { kind: "condition", predicate: c }, "full"), tables, n);
      expect(rows.filter((r) => r.id === null).map((r) => r.k2)).toEqual(["z"]);
      expect(rows).toHaveLength(10);
    }
  });

  it("right, semi and anti condition joins", async () => {
    const c: Expr = { ...cond, left: { kind: "Binary", op: "===", left: col("k", 0), right: col("k2", 1) }, right: gt(col("w", 1), { kind: "Binary", op: "*", left: col("q", 0), right: lit(2, "int32") }) };
    const right = await rowsOf(b.join(sales.scan, renamed, { kind: "condition", predicate: c }, "right"), tables, 3);
    expect(right.filter((r) => r.id !== null)).toHaveLength(5);
    expect(right.filter((r) => r.id === null).map((r) => r.k2)).toEqual(["z", null]);
    const semi = await rowsOf(b.join(sales.scan, renamed, { kind: "condition", predicate: c }, "semi"), tables, 3);
    expect(semi.map((r) => r.id)).toEqual([1, 3, 5, 6]);
    const anti = await rowsOf(b.join(sales.scan, renamed, { kind: "condition", predicate: c }, "anti"), tables, 3);
    expect(anti.map((r) => r.id)).toEqual([2, 4]);
  });

  it("cross join pairs every row", async () => {
    const rows = await rowsOf(b.join(sales.scan, renamed, null, "cross"), tables, 2);
    expect(rows).toHaveLength(30);
  });
});

describe("SortExec, limits, distinct, union", () => {
  it("sorts with nulls first ascending and NaN above numbers, stably", async () => {
    const s = b.sort(sales.scan, [{ expr: col("x"), descending: false, nullsFirst: true }]);
    expect((await rowsOf(s, tables, 3)).map((r) => r.id)).toEqual([2, 6, 1, 3, 4, 5]);
    const d = b.sort(sales.scan, [{ expr: col("x"), descending: true, nullsFirst: false }]);
    expect((await rowsOf(d, tables, 3)).map((r) => r.id)).toEqual([5, 4, 3, 1, 6, 2]);
    const ties = b.sort(sales.scan, [{ expr: col("k"), descending: false, nullsFirst: true }]);
    expect((await rowsOf(ties, tables, 3)).map((r) => r.id)).toEqual([4, 1, 3, 6, 2, 5]);
  });

  it("limits after a sort keep the top rows", async () => {
    const s = b.limit(b.sort(sales.scan, [{ expr: col("q"), descending: true, nullsFirst: false }]), 2);
    expect((await rowsOf(s, tables, 3)).map((r) => r.id)).toEqual([5, 3]);
    expect((await rowsOf(b.limit(sales.scan, 4), tables, 3)).map((r) => r.id)).toEqual([1, 2, 3, 4]);
    expect(await rowsOf(b.limit(sales.scan, 0), tables, 3)).toEqual([]);
  });

  it("distinct keeps the first row of each key in input order", async () => {
    const d = b.distinct(sales.scan, ["k"]);
    expect(sorted(await rowsOf(d, tables, 3)).map((r) => r.id).sort()).toEqual([1, 2, 4, 5]);
    const q = b.distinct(sales.scan, ["q"]);
    expect((await rowsOf(q, tables, 3)).map((r) => r.id).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it("union concatenates partitions", async () => {
    const u = b.union(sales.scan, b.filter(sales.scan, gt(col("id"), lit(4, "int32"))), false);
    expect((await rowsOf(u, tables, 3)).map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 5, 6]);
  });
});

describe("runPipeline", () => {
  it("passes run parameters and the current date to kernels", async () => {
    const p = b.project(
      b.filter(sales.scan, { kind: "Binary", op: ">=", left: col("q"), right: { kind: "Param", name: "min_q", type: "int32" } }),
      [
        { name: "id", expr: col("id") },
        { name: "age", expr: { kind: "Call", fn: "datediff", args: [{ kind: "Call", fn: "current_date", args: [] }, col("d")] } },
      ],
    );
    const r = await run(pipelineOf({ out: p }), tables, 2, { currentDate: "2024-01-11", params: { min_q: 5 } });
    expect(r.outputs.out).toEqual([
      { id: 3, age: 10 },
      { id: 5, age: 11 },
      { id: 6, age: 9 },
    ]);
  });

  it("rejects a malformed current date", async () => {
    await expect(run(pipelineOf({ out: sales.scan }), tables, 2, { currentDate: "2024-13-01" })).rejects.toThrow(/current-date/);
  });

  it("fails with the expression when a kernel throws, before any output", async () => {
    const bad = b.project(sales.scan, [{ name: "r", expr: { kind: "Binary", op: "/", left: col("big"), right: lit("0", "int64") } }]);
    await expect(run(pipelineOf({ ok: sales.scan, bad }), tables, 2)).rejects.toThrow(/TSDF5001|big \/ 0n/);
  });
});
