import type * as arrow from "apache-arrow";
import { planPhysical } from "../../../compiler/physical/plan-physical.ts";
import * as b from "../../../plan/builder.ts";
import { type AggFn, col, type Expr } from "../../../plan/expr.ts";
import type { LogicalPlan, PipelinePlan, Sink } from "../../../plan/logical.ts";
import type { DataType, Schema } from "../../../plan/schema.ts";
import { type Row, runPipeline } from "../../../runtime/driver.ts";
import { rowsToBatch } from "../../../runtime/exec/columns.ts";

/** An aggregate call over a column (none: `count()`). */
export const agg = (fn: AggFn, arg?: string): Expr => (arg ? { kind: "Agg", fn, arg: col(arg) } : { kind: "Agg", fn });

export function schemaOf(spec: Record<string, DataType | `${DataType}?`>): Schema {
  return {
    fields: Object.entries(spec).map(([name, t]) => ({ name, type: t.replace("?", "") as DataType, nullable: t.endsWith("?") })),
  };
}

/** An in-memory table: a scan node and the batch the driver serves for it. */
export interface Table {
  readonly scan: LogicalPlan;
  readonly batch: arrow.RecordBatch;
  readonly path: string;
}

export function table(path: string, spec: Record<string, DataType | `${DataType}?`>, rows: readonly Row[]): Table {
  const schema = schemaOf(spec);
  return { scan: b.scan("csv", path, schema, {}), batch: rowsToBatch(rows, schema), path };
}

export function pipelineOf(sinks: Record<string, LogicalPlan>, extra: readonly Sink[] = []): PipelinePlan {
  return { name: "test", params: [], sinks: [...Object.entries(sinks).map(([name, input]): Sink => ({ kind: "Output", name, input })), ...extra] };
}

export interface RunResult {
  readonly outputs: Record<string, Row[]>;
  readonly lines: string[];
}

export async function run(
  plan: PipelinePlan,
  tables: readonly Table[],
  partitions = 2,
  extra: { currentDate?: string; params?: Record<string, string | number | boolean> } = {},
): Promise<RunResult> {
  const lines: string[] = [];
  const physical = planPhysical(plan, { partitions });
  const { outputs } = await runPipeline(physical, {
    dataDir: "/nonexistent",
    currentDate: extra.currentDate ?? "2024-06-30",
    params: extra.params ?? {},
    out: (l) => lines.push(l),
    tables: Object.fromEntries(tables.map((t) => [t.path, t.batch])),
  });
  return { outputs, lines };
}

/** Output rows of one logical plan. */
export async function rowsOf(plan: LogicalPlan, tables: readonly Table[], partitions = 2): Promise<Row[]> {
  const r = await run(pipelineOf({ out: plan }), tables, partitions);
  return r.outputs.out ?? [];
}

const stringify = (r: Row) => JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? `${v}n` : v));

/** Rows in a canonical order, for results whose order is not defined. */
export function sorted(rows: readonly Row[]): Row[] {
  return [...rows].sort((a, b) => (stringify(a) < stringify(b) ? -1 : stringify(a) > stringify(b) ? 1 : 0));
}
