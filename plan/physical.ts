import type { SourceLocation } from "./errors.ts";
import type { AggFn, Expr, NamedExpr, SortKey } from "./expr.ts";
import type { FileFormat, JoinType, ParamSpec, ReadOptions, WriteOptions } from "./logical.ts";
import type { DataType, Field, Schema } from "./schema.ts";

/**
 * The physical plan: how to compute a logical plan over partitions of Arrow batches.
 * Nodes are immutable; a node reachable from several parents is computed once per run.
 * Every node knows its output schema and how many partitions it produces. Stages end at
 * a `RepartitionExec` (an exchange); every partition's content is a deterministic function
 * of the input, so results do not depend on the partition count (except row order where
 * none is defined).
 */
export type PhysicalPlan =
  | ScanExec
  | FilterExec
  | ProjectionExec
  | HashAggregateExec
  | HashJoinExec
  | NestedLoopJoinExec
  | SortExec
  | LocalLimitExec
  | GlobalLimitExec
  | DistinctExec
  | UnionExec
  | RepartitionExec
  | CacheExec;

/** A column of an exec's output; `list` marks an aggregate state that holds many values. */
export interface ExecField extends Field {
  readonly list?: true;
}
export interface ExecSchema extends Schema {
  readonly fields: readonly ExecField[];
}

interface ExecBase {
  /** Unique within one physical pipeline; explain prints it, tasks refer to nodes by it. */
  readonly id: number;
  readonly schema: ExecSchema;
  readonly partitions: number;
  readonly loc?: SourceLocation;
}

export interface ScanExec extends ExecBase {
  readonly kind: "ScanExec";
  readonly format: FileFormat;
  readonly path: string;
  readonly options: ReadOptions;
  readonly fileSchema: Schema;
  /** The columns read, in output order (the names of `schema`). */
  readonly columns: readonly string[];
  readonly filters: readonly Expr[];
}
export interface FilterExec extends ExecBase {
  readonly kind: "FilterExec";
  readonly input: PhysicalPlan;
  readonly predicate: Expr;
}
export interface ProjectionExec extends ExecBase {
  readonly kind: "ProjectionExec";
  readonly input: PhysicalPlan;
  readonly exprs: readonly NamedExpr[];
}

export type AggregateMode = "partial" | "final" | "single";
export interface PhysicalAggregate {
  readonly name: string;
  readonly fn: AggFn;
  readonly arg?: Expr;
  /** The argument's type (for count() with no argument: int64). */
  readonly argType: DataType;
}
/**
 * `partial` turns rows into per-key states, `final` merges states (after a hash exchange on
 * the keys) into results, `single` goes from rows to results in one step.
 */
export interface HashAggregateExec extends ExecBase {
  readonly kind: "HashAggregateExec";
  readonly input: PhysicalPlan;
  readonly mode: AggregateMode;
  readonly groupBy: readonly string[];
  readonly aggs: readonly PhysicalAggregate[];
}

/**
 * Equi-join on columns of the same name (null keys never match). `partitioned`: both sides
 * are hash-partitioned on the keys; `broadcast`: every left partition sees all of the right side.
 * The right side is the build side.
 */
export interface HashJoinExec extends ExecBase {
  readonly kind: "HashJoinExec";
  readonly left: PhysicalPlan;
  readonly right: PhysicalPlan;
  readonly how: Exclude<JoinType, "cross">;
  readonly keys: readonly string[];
  readonly mode: "partitioned" | "broadcast";
  readonly buildSide: "right";
}
/**
 * Join on any condition (or a cross join): each left row is tested against every right row.
 * `broadcast`: every left partition sees all right partitions; `single`: both sides are in one
 * partition (needed for right and full joins, so unmatched right rows are emitted once).
 */
export interface NestedLoopJoinExec extends ExecBase {
  readonly kind: "NestedLoopJoinExec";
  readonly left: PhysicalPlan;
  readonly right: PhysicalPlan;
  readonly how: JoinType;
  readonly condition: Expr;
  readonly mode: "broadcast" | "single";
}
/** Sorts each partition (stable); a global sort sits above a single-partition or range exchange. `fetch` keeps the first N. */
export interface SortExec extends ExecBase {
  readonly kind: "SortExec";
  readonly input: PhysicalPlan;
  readonly keys: readonly SortKey[];
  readonly fetch?: number;
}
export interface LocalLimitExec extends ExecBase {
  readonly kind: "LocalLimitExec";
  readonly input: PhysicalPlan;
  readonly fetch: number;
}
/** Keeps the first `fetch` rows of a single-partition input. */
export interface GlobalLimitExec extends ExecBase {
  readonly kind: "GlobalLimitExec";
  readonly input: PhysicalPlan;
  readonly fetch: number;
}
/** Keeps the first row of each key in input order, per partition. */
export interface DistinctExec extends ExecBase {
  readonly kind: "DistinctExec";
  readonly input: PhysicalPlan;
  readonly columns: readonly string[];
}
/** Concatenation: the partitions of the first input, then those of the next. */
export interface UnionExec extends ExecBase {
  readonly kind: "UnionExec";
  readonly inputs: readonly PhysicalPlan[];
}
/**
 * `range`: rows go to `count` partitions by their sort key, partition k holding keys at or below
 * bound k and above bound k - 1; the bounds are picked at run time from a sample of the input
 * (runtime/exec/repartition.ts), so the partitions in order are globally sorted after each is.
 */
export type Partitioning =
  | { readonly kind: "hash"; readonly exprs: readonly Expr[]; readonly count: number }
  | { readonly kind: "range"; readonly keys: readonly SortKey[]; readonly count: number }
  | { readonly kind: "single" }
  | { readonly kind: "roundRobin"; readonly count: number };
/**
 * An exchange: the end of one stage and the start of the next. Rows keep their relative
 * order: output partition p holds input partition 0's rows for p, then partition 1's, ...
 */
export interface RepartitionExec extends ExecBase {
  readonly kind: "RepartitionExec";
  readonly input: PhysicalPlan;
  readonly partitioning: Partitioning;
}
/** `cache()`: the input is materialized once per run and reused by every parent. */
export interface CacheExec extends ExecBase {
  readonly kind: "CacheExec";
  readonly input: PhysicalPlan;
}

export type PhysicalSink =
  | { readonly kind: "WriteSink"; readonly input: PhysicalPlan; readonly format: FileFormat; readonly path: string; readonly options: WriteOptions; readonly loc?: SourceLocation }
  | { readonly kind: "ShowSink"; readonly input: PhysicalPlan; readonly rows: number; readonly title?: string; readonly loc?: SourceLocation }
  | { readonly kind: "OutputSink"; readonly input: PhysicalPlan; readonly name: string; readonly loc?: SourceLocation };

export interface PhysicalPipeline {
  readonly name: string;
  readonly params: readonly ParamSpec[];
  readonly sinks: readonly PhysicalSink[];
  readonly partitions: number;
}

export function physicalInputs(p: PhysicalPlan): readonly PhysicalPlan[] {
  switch (p.kind) {
    case "ScanExec":
      return [];
    case "HashJoinExec":
    case "NestedLoopJoinExec":
      return [p.left, p.right];
    case "UnionExec":
      return p.inputs;
    default:
      return [p.input];
  }
}

/** How many parents (and sinks) refer to each node: nodes with more than one are shared. */
export function referenceCounts(roots: readonly PhysicalPlan[]): Map<PhysicalPlan, number> {
  const counts = new Map<PhysicalPlan, number>();
  const visit = (p: PhysicalPlan): void => {
    const n = (counts.get(p) ?? 0) + 1;
    counts.set(p, n);
    if (n === 1) for (const c of physicalInputs(p)) visit(c);
  };
  for (const r of roots) visit(r);
  return counts;
}

/** The columns a partial aggregate emits for `a` (its state), in `state()` order. */
export function aggregateStateFields(a: PhysicalAggregate): ExecField[] {
  const f = (suffix: string, type: ExecField["type"], list = false): ExecField =>
    list ? { name: `${a.name}$${suffix}`, type, nullable: true, list: true } : { name: `${a.name}$${suffix}`, type, nullable: true };
  // A float sum's state is its exact partials: the largest, the next, a list of any others.
  const sum = () => (a.argType === "int64" ? [f("sum", "int64")] : a.argType === "int32" ? [f("sum", "float64")] : [f("hi", "float64"), f("lo", "float64"), f("rest", "float64", true)]);
  switch (a.fn) {
    case "count":
      return [f("count", "float64")];
    case "count_distinct":
      return [f("set", a.argType, true)];
    case "sum":
      return sum();
    case "avg":
      return [...sum(), f("count", "float64")];
    case "min":
    case "max":
      return [f("value", a.argType)];
    case "first":
    case "last":
      return [f("value", a.argType), f("has", "boolean")];
    case "stddev":
      return [f("values", "float64", true)];
  }
}
