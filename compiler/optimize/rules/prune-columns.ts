import { columnsOf } from "../../../plan/expr.ts";
import { inputsOf, type LogicalPlan, type PipelinePlan, type Sink } from "../../../plan/logical.ts";
import * as b from "../../../plan/builder.ts";
import { schemaOf } from "../../../plan/schema.ts";
import type { OptimizerRule } from "../rule.ts";
import { rewriteBottomUp, withInputs } from "../with-inputs.ts";

type Needs = Map<LogicalPlan, Set<string>>;

/** Nodes with every parent before its inputs (reverse post-order from the sinks). */
function parentsFirst(sinks: readonly Sink[]): LogicalPlan[] {
  const seen = new Set<LogicalPlan>();
  const post: LogicalPlan[] = [];
  const visit = (p: LogicalPlan): void => {
    if (seen.has(p)) return;
    seen.add(p);
    for (const c of inputsOf(p)) visit(c);
    post.push(p);
  };
  for (const s of sinks) visit(s.input);
  return post.reverse();
}

/** The columns of `p`'s input that `p` reads, given the columns of `p` that its parents read. */
function inputNeeds(p: LogicalPlan, own: ReadonlySet<string>): Set<string> | "all" {
  const out = new Set<string>();
  const add = (names: Iterable<string>) => {
    for (const n of names) out.add(n);
  };
  switch (p.kind) {
    case "Project":
      for (const ne of p.exprs) if (own.has(ne.name)) add(columnsOf(ne.expr));
      return out;
    case "Aggregate":
      add(p.groupBy);
      for (const a of p.aggs) if (a.arg) add(columnsOf(a.arg));
      return out;
    case "Filter":
      add(own);
      add(columnsOf(p.predicate));
      return out;
    case "Sort":
      add(own);
      for (const k of p.keys) add(columnsOf(k.expr));
      return out;
    case "Limit":
      add(own);
      return out;
    case "Distinct":
      add(own);
      add(p.columns);
      return out;
    // Each side is asked for the names it has: what the parents read, plus the join's keys or
    // the columns its condition reads (a semi or anti join's output is its left side).
    case "Join":
      add(own);
      add(p.on.kind === "using" ? p.on.columns : columnsOf(p.on.predicate));
      return out;
    // A union's columns are positional and a cache is materialized as it is.
    default:
      return "all";
  }
}

function analyse(plan: PipelinePlan): Needs {
  const needs: Needs = new Map();
  const all = (p: LogicalPlan) => new Set(p.schema.fields.map((f) => f.name));
  const require = (p: LogicalPlan, names: Iterable<string>) => {
    const set = needs.get(p) ?? new Set<string>();
    for (const n of names) set.add(n);
    needs.set(p, set);
  };
  for (const s of plan.sinks) require(s.input, all(s.input));
  for (const p of parentsFirst(plan.sinks)) {
    const own = needs.get(p) ?? all(p);
    for (const c of inputsOf(p)) {
      const n = inputNeeds(p, own);
      require(c, n === "all" ? all(c) : n);
    }
  }
  return needs;
}

/** `p` keeping only the `needed` columns of its own, where it can (scans and projections). */
function narrow(p: LogicalPlan, needed: ReadonlySet<string>): LogicalPlan {
  if (p.kind === "Scan") {
    const keep = new Set(needed);
    for (const f of p.filters) for (const c of columnsOf(f)) keep.add(c);
    // At least one column, so the rows are still there to count.
    let fields = p.schema.fields.filter((f) => keep.has(f.name));
    if (fields.length === 0) fields = p.schema.fields.slice(0, 1);
    return fields.length === p.schema.fields.length ? p : { ...p, schema: schemaOf(fields) };
  }
  if (p.kind === "Project") {
    let exprs = p.exprs.filter((ne) => needed.has(ne.name));
    if (exprs.length === 0) exprs = p.exprs.slice(0, 1);
    if (exprs.length === p.exprs.length) return p;
    const names = new Set(exprs.map((ne) => ne.name));
    return { ...p, exprs, schema: schemaOf(p.schema.fields.filter((f) => names.has(f.name))) };
  }
  return p;
}

/**
 * Projection pruning over the whole plan: each node learns which of its columns any parent
 * reads (a shared node the union of them all), then scans read only those, so a reader decodes
 * no more, projections drop the columns nobody reads, and joins carry only the columns read
 * above them. A sink, a union or a cache reads all its input's columns, so every sink keeps its schema.
 */
export const pruneColumns: OptimizerRule = {
  name: "prune_columns",
  rewrite: (p) => p,
  rewritePipeline: (plan) => {
    const needs = analyse(plan);
    // A join's columns are its inputs': over narrowed inputs its schema is worked out again.
    const reinput = (p: LogicalPlan, inputs: readonly LogicalPlan[]) =>
      p.kind === "Join" ? b.join(inputs[0] as LogicalPlan, inputs[1] as LogicalPlan, p.on, p.how, p.loc) : withInputs(p, inputs);
    return rewriteBottomUp(plan, (rebuilt, p) => narrow(rebuilt, needs.get(p) ?? new Set()), reinput);
  },
};
