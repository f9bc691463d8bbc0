import type { SourceLocation } from "./errors.ts";
import type { AggFn, Expr, NamedExpr, SortKey } from "./expr.ts";
import type { Schema } from "./schema.ts";

export type FileFormat = "csv" | "parquet" | "json" | "arrow";
export type ParseMode = "PERMISSIVE" | "DROPMALFORMED" | "FAILFAST";
export type JoinType = "inner" | "left" | "right" | "full" | "semi" | "anti" | "cross";
export type WriteMode = "overwrite" | "append" | "errorIfExists" | "ignore";

export interface ReadOptions {
  readonly header?: boolean;
  readonly delimiter?: string;
  readonly mode?: ParseMode;
  readonly nullValue?: string;
}

/** The logical plan: what to compute, not how. Nodes are immutable and may be shared (a DAG). */
export type LogicalPlan = Scan | Filter | Project | Aggregate | Join | Sort | Limit | Distinct | Union | Cache;

interface NodeBase {
  readonly schema: Schema;
  readonly loc?: SourceLocation;
}

export interface Scan extends NodeBase {
  readonly kind: "Scan";
  readonly format: FileFormat;
  readonly path: string;
  readonly options: ReadOptions;
  /** The file's declared columns; `schema` is the projected subset the plan reads. */
  readonly fileSchema: Schema;
  /** Conjuncts a reader may use to skip rows; the plan still filters above. */
  readonly filters: readonly Expr[];
}
export interface Filter extends NodeBase {
  readonly kind: "Filter";
  readonly input: LogicalPlan;
  readonly predicate: Expr;
}
export interface Project extends NodeBase {
  readonly kind: "Project";
  readonly input: LogicalPlan;
  readonly exprs: readonly NamedExpr[];
}
export interface AggregateExpr {
  readonly name: string;
  readonly fn: AggFn;
  readonly arg?: Expr;
}
export interface Aggregate extends NodeBase {
  readonly kind: "Aggregate";
  readonly input: LogicalPlan;
  readonly groupBy: readonly string[];
  readonly aggs: readonly AggregateExpr[];
}
export type JoinOn =
  | { readonly kind: "using"; readonly columns: readonly string[] }
  | { readonly kind: "condition"; readonly predicate: Expr };
export interface Join extends NodeBase {
  readonly kind: "Join";
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
  readonly how: JoinType;
  readonly on: JoinOn;
}
export interface Sort extends NodeBase {
  readonly kind: "Sort";
  readonly input: LogicalPlan;
  readonly keys: readonly SortKey[];
}
export interface Limit extends NodeBase {
  readonly kind: "Limit";
  readonly input: LogicalPlan;
  readonly fetch: number;
}
/** `distinct()` (all columns) or `dropDuplicates(cols)`: keeps the first row of each key in input order. */
export interface Distinct extends NodeBase {
  readonly kind: "Distinct";
  readonly input: LogicalPlan;
  readonly columns: readonly string[];
}
/** UNION ALL; `byName` matches columns by name instead of position. */
export interface Union extends NodeBase {
  readonly kind: "Union";
  readonly inputs: readonly LogicalPlan[];
  readonly byName: boolean;
}
export interface Cache extends NodeBase {
  readonly kind: "Cache";
  readonly input: LogicalPlan;
}

export interface WriteOptions {
  readonly mode?: WriteMode;
  readonly partitionBy?: readonly string[];
  readonly header?: boolean;
  readonly delimiter?: string;
}

export type Sink =
  | { readonly kind: "Write"; readonly input: LogicalPlan; readonly format: FileFormat; readonly path: string; readonly options: WriteOptions; readonly loc?: SourceLocation }
  | { readonly kind: "Show"; readonly input: LogicalPlan; readonly rows: number; readonly title?: string; readonly loc?: SourceLocation }
  | { readonly kind: "Output"; readonly input: LogicalPlan; readonly name: string; readonly loc?: SourceLocation };

export interface ParamSpec {
  readonly name: string;
  readonly type: import("./schema.ts").DataType;
  readonly optional: boolean;
  readonly default?: string | number | boolean;
  /** JSON Schema of the zod schema the pipeline declared, checked against `--param` values. */
  readonly jsonSchema?: unknown;
}

/** Everything `tsdf build` extracts from one pipeline module. */
export interface PipelinePlan {
  readonly name: string;
  readonly params: readonly ParamSpec[];
  readonly sinks: readonly Sink[];
}

export function inputsOf(p: LogicalPlan): readonly LogicalPlan[] {
  switch (p.kind) {
    case "Scan":
      return [];
    case "Join":
      return [p.left, p.right];
    case "Union":
      return p.inputs;
    default:
      return [p.input];
  }
}

/** The pipeline with each sink's input replaced by `f(input)`; the same object when nothing changed. */
export function mapSinkInputs(plan: PipelinePlan, f: (input: LogicalPlan) => LogicalPlan): PipelinePlan {
  let changed = false;
  const sinks = plan.sinks.map((s): Sink => {
    const input = f(s.input);
    if (input === s.input) return s;
    changed = true;
    return { ...s, input };
  });
  return changed ? { ...plan, sinks } : plan;
}
