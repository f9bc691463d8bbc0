import { describe, expect, it } from "vitest";
import { planPhysical } from "../../compiler/physical/plan-physical.ts";
import * as b from "../../plan/builder.ts";
import { col, lit } from "../../plan/expr.ts";
import type { PipelinePlan } from "../../plan/logical.ts";
import { formatLogicalPipeline, formatLogicalPlan, formatPhysicalPipeline } from "../../plan/printer.ts";

const sales = b.scan("csv", "input/sales.csv", { fields: [
  { name: "k", type: "utf8", nullable: true },
  { name: "x", type: "float64", nullable: false },
] }, { header: true });
const big = b.filter(sales, { kind: "Binary", op: ">", left: col("x"), right: lit(10, "int32") });
const counts = b.aggregate(big, ["k"], [{ name: "n", expr: { kind: "Agg", fn: "count" } }]);
const plan: PipelinePlan = {
  name: "p",
  params: [],
  sinks: [
    { kind: "Output", input: counts, name: "counts" },
    { kind: "Show", input: b.sort(counts, [{ expr: col("n"), descending: true, nullsFirst: false }]), rows: 3 },
  ],
};

describe("printer", () => {
  it("prints a logical plan one node per line with schemas", () => {
    expect(formatLogicalPlan(big)).toBe(
      ['Filter: predicate=(x > 10) [k:utf8;N, x:float64]', '  Scan: format=csv path="input/sales.csv" options={"header":true} [k:utf8;N, x:float64]'].join("\n"),
    );
  });

  it("prints a shared sub-plan once and refers to it after", () => {
    expect(formatLogicalPipeline(plan)).toBe(
      [
        'Pipeline: name="p"',
        'Output: name="counts"',
        "  Aggregate #1: groupBy=[k] aggs=[count() AS n] [k:utf8;N, n:int64]",
        "    Filter: predicate=(x > 10) [k:utf8;N, x:float64]",
        '      Scan: format=csv path="input/sales.csv" options={"header":true} [k:utf8;N, x:float64]',
        "Show: rows=3",
        "  Sort: keys=[n desc] [k:utf8;N, n:int64]",
        "    -> see #1 (Aggregate)",
      ].join("\n"),
    );
  });

  it("prints the physical plan with modes, exchanges and partitions", () => {
    expect(formatPhysicalPipeline(planPhysical(plan, { partitions: 4 }))).toBe(
      [
        'Pipeline: name="p" partitions=4',
        'OutputSink: name="counts"',
        "  HashAggregateExec #1: mode=final groupBy=[k] aggs=[count() AS n] partitions=4 [k:utf8;N, n:int64]",
        "    RepartitionExec: partitioning=hash([k], 4) partitions=4 [k:utf8;N, n$count:float64;N]",
        "      HashAggregateExec: mode=partial groupBy=[k] aggs=[count() AS n] partitions=4 [k:utf8;N, n$count:float64;N]",
        "        FilterExec: predicate=(x > 10) partitions=4 [k:utf8;N, x:float64]",
        '          ScanExec: format=csv path="input/sales.csv" columns=[k, x] options={"header":true} partitions=4 [k:utf8;N, x:float64]',
        "ShowSink: rows=3",
        "  GlobalLimitExec: fetch=4 partitions=1 [k:utf8;N, n:int64]",
        "    SortExec: keys=[n desc] partitions=1 [k:utf8;N, n:int64]",
        "      RepartitionExec: partitioning=single partitions=1 [k:utf8;N, n:int64]",
        "        -> see #1 (HashAggregateExec)",
      ].join("\n"),
    );
  });
});
