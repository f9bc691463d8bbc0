import { describe, expect, it } from "vitest";
import { planPhysical } from "../../../compiler/physical/plan-physical.ts";
import * as b from "../../../plan/builder.ts";
import { col, lit } from "../../../plan/expr.ts";
import type { ScanExec } from "../../../plan/physical.ts";
import { ExactSum } from "../../../runtime/exec/accumulators.ts";
import { batchesToColumns, columnsToBatch, columnsToRows } from "../../../runtime/exec/columns.ts";
import { inlineExecutor } from "../../../runtime/executor.ts";
import { FaultPlan } from "../../../runtime/faults.ts";
import { silentProgress } from "../../../runtime/progress.ts";
import { Scheduler } from "../../../runtime/scheduler.ts";
import { formatShow } from "../../../runtime/show.ts";
import { pipelineOf, run, table } from "./fixtures.ts";

const t = table("t", { id: "int32", k: "utf8" }, [
  { id: 1, k: "a" },
  { id: 2, k: "b" },
  { id: 3, k: "a" },
]);

describe("Scheduler", () => {
  it("computes a sub-plan shared by several sinks once per run", async () => {
    const shared = b.filter(t.scan, { kind: "Binary", op: ">", left: col("id"), right: lit(0, "int32") });
    const agg = b.aggregate(shared, ["k"], [{ name: "n", expr: { kind: "Agg", fn: "count" } }]);
    const physical = planPhysical(pipelineOf({ all: shared, counts: agg }), { partitions: 2 });
    const roots = physical.sinks.map((s) => s.input);
    let scans = 0;
    const scheduler = new Scheduler(roots, {
      ctx: { currentDate: 0, params: {} },
      executor: inlineExecutor,
      scans: {
        dataDir: "/nonexistent",
        inMemory: () => true,
        readInMemory: async (node: ScanExec) => {
          scans++;
          const cols = batchesToColumns([t.batch], node.schema);
          return [[columnsToBatch({ length: 2, columns: cols.columns.map((c) => c.slice(0, 2)) }, node.schema)], [columnsToBatch({ length: 1, columns: cols.columns.map((c) => c.slice(2)) }, node.schema)]];
        },
        splits: () => Promise.reject(new Error("no files in this test")),
        read: () => {},
      },
      faults: new FaultPlan([]),
      progress: silentProgress,
      maxTaskFailures: 4,
      maxStageAttempts: 4,
      signal: new AbortController().signal,
      runId: "test",
    });
    const [all, counts] = await Promise.all(roots.map((r) => scheduler.collect(r)));
    expect(scans).toBe(1);
    expect(all?.flat().reduce((n, batch) => n + batch.numRows, 0)).toBe(3);
    expect(counts?.flat().reduce((n, batch) => n + batch.numRows, 0)).toBe(2);
    expect(physical.sinks[1]?.input).not.toBe(physical.sinks[0]?.input);
  });
});

describe("columns", () => {
  it("round-trips every type through Arrow", () => {
    const schema = { fields: [
      { name: "s", type: "utf8", nullable: true },
      { name: "i", type: "int32", nullable: true },
      { name: "l", type: "int64", nullable: true },
      { name: "f", type: "float64", nullable: true },
      { name: "b", type: "boolean", nullable: true },
      { name: "d", type: "date32", nullable: true },
      { name: "ts", type: "timestamp_us", nullable: true },
    ] } as const;
    const columns = [["é🙂", null], [-5, null], [2n ** 60n, null], [Number.NaN, null], [false, null], [-1, null], [-1n, null]];
    const back = batchesToColumns([columnsToBatch({ length: 2, columns }, schema)], schema);
    expect(back.columns).toEqual(columns);
    expect(columnsToRows(back, schema)[0]).toEqual({ s: "é🙂", i: -5, l: 2n ** 60n, f: Number.NaN, b: false, d: "1969-12-31", ts: "1969-12-31T23:59:59.999999Z" });
  });
});

describe("ExactSum", () => {
  it("gives the correctly rounded sum in any order", () => {
    const xs = [0.1, 0.2, 0.3, 1e16, -1e16, 1e-10, 3.3];
    const a = new ExactSum();
    const c = new ExactSum();
    for (const x of xs) a.add(x);
    for (const x of [...xs].reverse()) c.add(x);
    expect(a.value()).toBe(c.value());
    expect(a.value()).toBe(3.9000000001);
  });

  it("carries infinities and NaN", () => {
    const s = new ExactSum();
    s.add(1);
    s.add(Number.POSITIVE_INFINITY);
    expect(s.value()).toBe(Number.POSITIVE_INFINITY);
    s.add(Number.NEGATIVE_INFINITY);
    expect(s.value()).toBeNaN();
  });
});

describe("show()", () => {
  it("formats a Spark-like table, right-aligned, nulls as null, long cells truncated", () => {
    const schema = { fields: [
      { name: "id", type: "int32", nullable: false },
      { name: "name", type: "utf8", nullable: true },
    ] } as const;
    const lines = formatShow(schema, [{ id: 1, name: null }, { id: 22, name: "a very long name indeed, longer than 20" }], 2, true);
    expect(lines).toEqual([
      "+---+--------------------+",
      "| id|                name|",
      "+---+--------------------+",
      "|  1|                null|",
      "| 22|a very long name ...|",
      "+---+--------------------+",
      "only showing top 2 rows",
    ]);
  });

  it("prints shows after computing, with the extra-row check", async () => {
    const plan = pipelineOf({}, [{ kind: "Show", input: t.scan, rows: 2 }, { kind: "Show", input: t.scan, rows: 5 }]);
    const r = await run(plan, [t], 3);
    expect(r.lines).toEqual([
      "+---+---+",
      "| id|  k|",
      "+---+---+",
      "|  1|  a|",
      "|  2|  b|",
      "+---+---+",
      "only showing top 2 rows",
      "+---+---+",
      "| id|  k|",
      "+---+---+",
      "|  1|  a|",
      "|  2|  b|",
      "|  3|  a|",
      "+---+---+",
    ]);
  });
});
