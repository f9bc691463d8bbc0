import { type Expr, assertNever, col, transformExpr } from "../../plan/expr.ts";
import { exprType } from "../../plan/expr-type.ts";
import type { Aggregate, Join, JoinType, Limit, LogicalPlan, PipelinePlan, Sink } from "../../plan/logical.ts";
import { inputsOf } from "../../plan/logical.ts";
import type {
  ExecField,
  ExecSchema,
  HashAggregateExec,
  HashJoinExec,
  Partitioning,
  PhysicalAggregate,
  PhysicalPipeline,
  PhysicalPlan,
  PhysicalSink,
  RepartitionExec,
} from "../../plan/physical.ts";
import { aggregateStateFields as stateFields } from "../../plan/physical.ts";
import { findField } from "../../plan/schema.ts";
import { sizeEstimator } from "./estimate-size.ts";
import { hashPartitionColumns } from "./output-partitioning.ts";


export interface PhysicalPlanOptions {
  /** Partitions of scans and hash exchanges (the parallelism of a run). */
  readonly partitions: number;
  /**
   * Bytes on disk of each scan's input, by its path in the plan (what a run finds under its data
   * folder). Without them no join side counts as small.
   */
  readonly inputBytes?: ReadonlyMap<string, number>;
  /** A join side estimated at most this many bytes is broadcast (default: Spark's 10 MiB). */
  readonly broadcastThreshold?: number;
  /**
   * How a global sort spreads its rows: `range` partitions them by sampled key bounds and sorts
   * every partition in parallel; `single` (default, until the scheduler samples range exchanges)
   * gathers them into one partition.
   */
  readonly globalSort?: "single" | "range";
}

const BROADCAST_THRESHOLD = 10 << 20;

type Without<T> = T extends unknown ? Omit<T, "id"> : never;

/**
 * Turns a logical plan into a physical one. A logical node shared by several parents or
 * sinks becomes one physical node, so it is computed once per run.
 *
 * - Aggregate: partial aggregate per partition, hash exchange on the keys, final aggregate
 *   (a global aggregate gathers the partial states into one partition); a single aggregate per
 *   partition when the input is already hash-partitioned by some of the keys (a join's output
 *   on its keys). Distinct and hash join sides likewise skip an exchange they do not need.
 * - Join on column names: when one side is known small (estimated from the input files' sizes)
 *   and the join type lets it, a broadcast hash join: that side is built once and sent whole to
 *   every partition of the other, which is not exchanged; otherwise hash exchange of both sides on
 *   the keys and a hash join per partition that builds the smaller side. A join that builds or
 *   broadcasts its left side is planned with the sides swapped and a projection restoring the
 *   column order (the hash join always builds its right input).
 *   Join on a condition, or cross: nested loop with the right side broadcast; right and full
 *   joins gather both sides into one partition so unmatched right rows are emitted once. A
 *   known small left side is broadcast instead (sides swapped) for a right join, and for an
 *   inner or cross join when it is the smaller side.
 * - Sort: gather into one partition, stable sort; or (`globalSort: "range"`) a range exchange on
 *   the sort keys and a stable sort of every partition, equal keys landing in one partition and
 *   the exchange keeping input order, so ties keep it too. Limit: local limit, gather, global limit;
 *   a limit on a sort is a top-N sort per partition, gather, top-N sort.
 * - Distinct: first row per key per partition, hash exchange on the key, first row again
 *   (the exchange keeps input order, so "first" is the first in the whole input).
 */
export function planPhysical(logical: PipelinePlan, options: PhysicalPlanOptions): PhysicalPipeline {
  const planner = new PhysicalPlanner(
    Math.max(1, Math.floor(options.partitions)),
    logical.sinks,
    sizeEstimator(options.inputBytes ?? new Map()),
    options.broadcastThreshold ?? BROADCAST_THRESHOLD,
    options.globalSort ?? "single",
  );
  return { name: logical.name, params: logical.params, partitions: planner.n, sinks: logical.sinks.map((s) => planner.sink(s)) };
}

class PhysicalPlanner {
  private nextId = 0;
  private readonly memo = new Map<LogicalPlan, PhysicalPlan>();
  private readonly refs = new Map<LogicalPlan, number>();

  constructor(
    readonly n: number,
    sinks: readonly Sink[],
    private readonly estimate: (p: LogicalPlan) => number | undefined,
    private readonly broadcastThreshold: number,
    private readonly globalSort: "single" | "range",
  ) {
    const visit = (p: LogicalPlan): void => {
      const r = (this.refs.get(p) ?? 0) + 1;
      this.refs.set(p, r);
      if (r === 1) for (const c of inputsOf(p)) visit(c);
    };
    for (const s of sinks) visit(s.input);
  }

  private make<T extends Without<PhysicalPlan>>(node: T): T & { id: number } {
    return { id: this.nextId++, ...node };
  }

  sink(s: Sink): PhysicalSink {
    const loc = s.loc ? { loc: s.loc } : {};
    switch (s.kind) {
      case "Write":
        return { kind: "WriteSink", input: this.plan(s.input), format: s.format, path: s.path, options: s.options, ...loc };
      case "Output":
        return { kind: "OutputSink", input: this.plan(s.input), name: s.name, ...loc };
      case "Show": {
        // One row more than shown tells whether to print "only showing top N rows".
        const input = this.limit(this.plan(s.input), s.rows + 1);
        return { kind: "ShowSink", input, rows: s.rows, ...(s.title !== undefined && { title: s.title }), ...loc };
      }
      default:
        return assertNever(s);
    }
  }

  plan(l: LogicalPlan): PhysicalPlan {
    let p = this.memo.get(l);
    if (!p) {
      p = this.convert(l);
      this.memo.set(l, p);
    }
    return p;
  }

  private exchange(input: PhysicalPlan, partitioning: Partitioning): PhysicalPlan {
    const partitions = partitioning.kind === "single" ? 1 : partitioning.count;
    if (input.partitions === 1 && partitions === 1) return input;
    return this.make<Without<RepartitionExec>>({ kind: "RepartitionExec", input, partitioning, schema: input.schema, partitions });
  }

  private single(input: PhysicalPlan): PhysicalPlan {
    return this.exchange(input, { kind: "single" });
  }

  private hash(input: PhysicalPlan, columns: readonly string[]): PhysicalPlan {
    return this.exchange(input, { kind: "hash", exprs: columns.map((c) => col(c)), count: this.n });
  }

  /** `input` hash-partitioned on `columns`: as it is when it already is (say, a join's output on its keys). */
  private hashOn(input: PhysicalPlan, columns: readonly string[]): PhysicalPlan {
    const by = hashPartitionColumns(input);
    const already = input.partitions === this.n && by !== undefined && by.length === columns.length && by.every((c, i) => c === columns[i]);
    return already ? input : this.hash(input, columns);
  }

  /** Whether every row with the same `keys` is already in one partition of `input`'s `n`. */
  private clusteredBy(input: PhysicalPlan, keys: readonly string[]): boolean {
    const by = hashPartitionColumns(input);
    return input.partitions === this.n && by !== undefined && by.length > 0 && by.every((c) => keys.includes(c));
  }

  private limit(input: PhysicalPlan, fetch: number): PhysicalPlan {
    const local = input.partitions === 1 ? input : this.make({ kind: "LocalLimitExec", input, fetch, schema: input.schema, partitions: input.partitions });
    return this.make({ kind: "GlobalLimitExec", input: this.single(local), fetch, schema: input.schema, partitions: 1 });
  }

  private convert(l: LogicalPlan): PhysicalPlan {
    const loc = l.loc ? { loc: l.loc } : {};
    switch (l.kind) {
      case "Scan":
        return this.make({
          kind: "ScanExec",
          format: l.format,
          path: l.path,
          options: l.options,
          fileSchema: l.fileSchema,
          columns: l.schema.fields.map((f) => f.name),
          filters: l.filters,
          schema: l.schema,
          partitions: this.n,
          ...loc,
        });
      case "Filter": {
        const input = this.plan(l.input);
        return this.make({ kind: "FilterExec", input, predicate: l.predicate, schema: l.schema, partitions: input.partitions, ...loc });
      }
      case "Project": {
        const input = this.plan(l.input);
        return this.make({ kind: "ProjectionExec", input, exprs: l.exprs, schema: l.schema, partitions: input.partitions, ...loc });
      }
      case "Aggregate":
        return this.aggregate(l);
      case "Join":
        return this.join(l);
      case "Sort": {
        const below = this.plan(l.input);
        const input = this.globalSort === "range" && this.n > 1 ? this.exchange(below, { kind: "range", keys: l.keys, count: this.n }) : this.single(below);
        return this.make({ kind: "SortExec", input, keys: l.keys, schema: l.schema, partitions: input.partitions, ...loc });
      }
      case "Limit":
        return this.limitOf(l);
      case "Distinct": {
        const input = this.plan(l.input);
        const distinct = (p: PhysicalPlan) => this.make({ kind: "DistinctExec", input: p, columns: l.columns, schema: l.schema, partitions: p.partitions, ...loc });
        if (input.partitions === 1 || this.clusteredBy(input, l.columns)) return distinct(input);
        return distinct(this.hash(distinct(input), l.columns));
      }
      case "Union": {
        const inputs = l.inputs.map((i) => this.plan(i));
        return this.make({ kind: "UnionExec", inputs, schema: l.schema, partitions: inputs.reduce((n, i) => n + i.partitions, 0), ...loc });
      }
      case "Cache": {
        const input = this.plan(l.input);
        return this.make({ kind: "CacheExec", input, schema: l.schema, partitions: input.partitions, ...loc });
      }
      default:
        return assertNever(l);
    }
  }

  /** A limit right above a sort that nothing else reads becomes a top-N sort. */
  private limitOf(l: Limit): PhysicalPlan {
    const sorted = l.input;
    if (sorted.kind === "Sort" && this.refs.get(sorted) === 1 && !this.memo.has(sorted)) {
      // Each partition's top N first: ties keep input order, as partition order is kept when gathering.
      const below = this.plan(sorted.input);
      const local =
        below.partitions === 1 ? below : this.make({ kind: "SortExec", input: below, keys: sorted.keys, fetch: l.fetch, schema: l.schema, partitions: below.partitions });
      return this.make({ kind: "SortExec", input: this.single(local), keys: sorted.keys, fetch: l.fetch, schema: l.schema, partitions: 1, ...(l.loc && { loc: l.loc }) });
    }
    return this.limit(this.plan(l.input), l.fetch);
  }

  private aggregate(l: Aggregate): PhysicalPlan {
    const input = this.plan(l.input);
    const aggs: PhysicalAggregate[] = l.aggs.map((a) => ({
      name: a.name,
      fn: a.fn,
      ...(a.arg && { arg: a.arg }),
      argType: a.arg ? exprType(a.arg, [input.schema]).type : "int64",
    }));
    const loc = l.loc ? { loc: l.loc } : {};
    const agg = (p: PhysicalPlan, mode: HashAggregateExec["mode"], schema: ExecSchema) =>
      this.make<Without<HashAggregateExec>>({ kind: "HashAggregateExec", input: p, mode, groupBy: l.groupBy, aggs, schema, partitions: p.partitions, ...loc });
    if (input.partitions === 1 || this.clusteredBy(input, l.groupBy)) return agg(input, "single", l.schema);
    const keys = l.groupBy.map((k) => findField(input.schema, k)).filter((f) => f !== undefined);
    const partial = agg(input, "partial", { fields: [...keys, ...aggs.flatMap(stateFields)] });
    const exchanged = l.groupBy.length === 0 ? this.single(partial) : this.hash(partial, l.groupBy);
    return agg(exchanged, "final", l.schema);
  }

  private join(l: Join): PhysicalPlan {
    const left = this.plan(l.left);
    const right = this.plan(l.right);
    const loc = l.loc ? { loc: l.loc } : {};
    if (l.on.kind === "using" && l.how !== "cross") return this.hashJoin(l, l.on.columns, left, right);
    const condition: Expr = l.on.kind === "condition" ? l.on.predicate : { kind: "Literal", value: true, type: "boolean" };
    if (this.broadcastsLeft(l)) {
      // Swapped: the left side (known small) is the broadcast right input; the projection restores the column order.
      const how = l.how === "right" ? "left" : (l.how as "inner" | "cross");
      const flipped = transformExpr(condition, (e) => (e.kind === "Column" ? col(e.name, e.side === 1 ? 0 : 1) : e));
      const schema: ExecSchema = { fields: [...right.schema.fields, ...left.schema.fields].map((f) => findField(l.schema, f.name) as ExecField) };
      const joined = this.make({ kind: "NestedLoopJoinExec", left: right, right: left, how, condition: flipped, mode: "broadcast", schema, partitions: right.partitions, ...loc });
      const exprs = l.schema.fields.map((f) => ({ name: f.name, expr: col(f.name) }));
      return this.make({ kind: "ProjectionExec", input: joined, exprs, schema: l.schema, partitions: joined.partitions, ...loc });
    }
    if (l.how === "right" || l.how === "full") {
      const ls = this.single(left);
      return this.make({ kind: "NestedLoopJoinExec", left: ls, right: this.single(right), how: l.how, condition, mode: "single", schema: l.schema, partitions: 1, ...loc });
    }
    return this.make({ kind: "NestedLoopJoinExec", left, right, how: l.how, condition, mode: "broadcast", schema: l.schema, partitions: left.partitions, ...loc });
  }

  /**
   * Whether a condition join broadcasts its left side instead of its right: a right join whose
   * left is known small (instead of gathering both sides into one partition), an inner or cross
   * join whose left is known small and smaller than its right.
   */
  private broadcastsLeft(l: Join): boolean {
    const left = this.estimate(l.left);
    if (this.n === 1 || left === undefined || left > this.broadcastThreshold) return false;
    const right = this.estimate(l.right);
    return l.how === "right" || ((l.how === "inner" || l.how === "cross") && smaller(left, right));
  }

  /**
   * The strategy of a join on column names. A side may be broadcast only where its unmatched rows
   * are not part of the output (each partition of the other side would emit them again): the right
   * of an inner, left, semi or anti join, the left of an inner or right join; never in a full join.
   */
  private hashJoin(l: Join, keys: readonly string[], left: PhysicalPlan, right: PhysicalPlan): PhysicalPlan {
    const sizes = { left: this.estimate(l.left), right: this.estimate(l.right) };
    const small = (b: number | undefined) => b !== undefined && b <= this.broadcastThreshold;
    const swappable = l.how !== "semi" && l.how !== "anti";
    const canBroadcastRight = this.n > 1 && l.how !== "right" && l.how !== "full" && small(sizes.right);
    const canBroadcastLeft = this.n > 1 && (l.how === "inner" || l.how === "right") && small(sizes.left);
    let mode: HashJoinExec["mode"] = "partitioned";
    let swap = swappable && smaller(sizes.left, sizes.right);
    if (canBroadcastLeft && (!canBroadcastRight || smaller(sizes.left, sizes.right))) [mode, swap] = ["broadcast", true];
    else if (canBroadcastRight) [mode, swap] = ["broadcast", false];
    const [probe, build] = swap ? [right, left] : [left, right];
    const how = swap ? SWAPPED[l.how as Exclude<JoinType, "cross" | "semi" | "anti">] : (l.how as Exclude<JoinType, "cross">);
    const field = (name: string) => findField(l.schema, name) as ExecField;
    // The hash join's own column order: the keys, then its left input's other columns, then its right's.
    const schema: ExecSchema =
      swap ? { fields: [...keys, ...[probe, build].flatMap((s) => s.schema.fields.map((f) => f.name).filter((n) => !keys.includes(n)))].map(field) } : l.schema;
    const loc = l.loc ? { loc: l.loc } : {};
    // A broadcast join leaves the probe side's partitions as they are.
    const [lp, rp] = mode === "broadcast" ? [probe, build] : [this.hashOn(probe, keys), this.hashOn(build, keys)];
    const joined = this.make<Without<HashJoinExec>>({ kind: "HashJoinExec", left: lp, right: rp, how, keys, mode, buildSide: "right", schema, partitions: lp.partitions, ...loc });
    if (!swap) return joined;
    const exprs = l.schema.fields.map((f) => ({ name: f.name, expr: col(f.name) }));
    return this.make({ kind: "ProjectionExec", input: joined, exprs, schema: l.schema, partitions: joined.partitions, ...loc });
  }
}

const smaller = (a: number | undefined, b: number | undefined) => a !== undefined && (b === undefined || a < b);

/** The join type with its sides swapped. */
const SWAPPED = { inner: "inner", left: "right", right: "left", full: "full" } as const;
