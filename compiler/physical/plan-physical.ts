import { type Expr, assertNever, col } from "../../plan/expr.ts";
import { exprType } from "../../plan/expr-type.ts";
import type { Aggregate, Join, Limit, LogicalPlan, PipelinePlan, Sink } from "../../plan/logical.ts";
import { inputsOf } from "../../plan/logical.ts";
import type {
  ExecSchema,
  HashAggregateExec,
  Partitioning,
  PhysicalAggregate,
  PhysicalPipeline,
  PhysicalPlan,
  PhysicalSink,
  RepartitionExec,
} from "../../plan/physical.ts";
import { aggregateStateFields as stateFields } from "../../plan/physical.ts";
import { findField } from "../../plan/schema.ts";


export interface PhysicalPlanOptions {
  /** Partitions of scans and hash exchanges (the parallelism of a run). */
  readonly partitions: number;
}

type Without<T> = T extends unknown ? Omit<T, "id"> : never;

/**
 * Turns a logical plan into a physical one. A logical node shared by several parents or
 * sinks becomes one physical node, so it is computed once per run.
 *
 * - Aggregate: partial aggregate per partition, hash exchange on the keys, final aggregate
 *   (a global aggregate gathers the partial states into one partition).
 * - Join on column names: hash exchange of both sides on the keys, hash join per partition.
 *   Join on a condition, or cross: nested loop with the right side broadcast; right and full
 *   joins gather both sides into one partition so unmatched right rows are emitted once.
 * - Sort: gather into one partition, stable sort. Limit: local limit, gather, global limit;
 *   a limit on a sort is a top-N sort per partition, gather, top-N sort.
 * - Distinct: first row per key per partition, hash exchange on the key, first row again
 *   (the exchange keeps input order, so "first" is the first in the whole input).
 */
export function planPhysical(logical: PipelinePlan, options: PhysicalPlanOptions): PhysicalPipeline {
  const planner = new PhysicalPlanner(Math.max(1, Math.floor(options.partitions)), logical.sinks);
  return { name: logical.name, params: logical.params, partitions: planner.n, sinks: logical.sinks.map((s) => planner.sink(s)) };
}

class PhysicalPlanner {
  private nextId = 0;
  private readonly memo = new Map<LogicalPlan, PhysicalPlan>();
  private readonly refs = new Map<LogicalPlan, number>();

  constructor(
    readonly n: number,
    sinks: readonly Sink[],
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
        const input = this.single(this.plan(l.input));
        return this.make({ kind: "SortExec", input, keys: l.keys, schema: l.schema, partitions: 1, ...loc });
      }
      case "Limit":
        return this.limitOf(l);
      case "Distinct": {
        const input = this.plan(l.input);
        const distinct = (p: PhysicalPlan) => this.make({ kind: "DistinctExec", input: p, columns: l.columns, schema: l.schema, partitions: p.partitions, ...loc });
        if (input.partitions === 1) return distinct(input);
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
    if (input.partitions === 1) return agg(input, "single", l.schema);
    const keys = l.groupBy.map((k) => findField(input.schema, k)).filter((f) => f !== undefined);
    const partial = agg(input, "partial", { fields: [...keys, ...aggs.flatMap(stateFields)] });
    const exchanged = l.groupBy.length === 0 ? this.single(partial) : this.hash(partial, l.groupBy);
    return agg(exchanged, "final", l.schema);
  }

  private join(l: Join): PhysicalPlan {
    const left = this.plan(l.left);
    const right = this.plan(l.right);
    const loc = l.loc ? { loc: l.loc } : {};
    if (l.on.kind === "using" && l.how !== "cross") {
      const lh = this.hash(left, l.on.columns);
      const rh = this.hash(right, l.on.columns);
      return this.make({
        kind: "HashJoinExec",
        left: lh,
        right: rh,
        how: l.how,
        keys: l.on.columns,
        mode: "partitioned",
        buildSide: "right",
        schema: l.schema,
        partitions: lh.partitions,
        ...loc,
      });
    }
    const condition: Expr = l.on.kind === "condition" ? l.on.predicate : { kind: "Literal", value: true, type: "boolean" };
    if (l.how === "right" || l.how === "full") {
      const ls = this.single(left);
      return this.make({ kind: "NestedLoopJoinExec", left: ls, right: this.single(right), how: l.how, condition, mode: "single", schema: l.schema, partitions: 1, ...loc });
    }
    return this.make({ kind: "NestedLoopJoinExec", left, right, how: l.how, condition, mode: "broadcast", schema: l.schema, partitions: left.partitions, ...loc });
  }
}
