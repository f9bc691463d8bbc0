import { columnsOf, col, type Expr } from "../../../plan/expr.ts";
import type { Filter, Join, LogicalPlan } from "../../../plan/logical.ts";
import { andAll, splitConjuncts, substituteColumns } from "../conjuncts.ts";
import type { OptimizerRule, RuleContext } from "../rule.ts";

const filterOver = (input: LogicalPlan, conjuncts: readonly Expr[]): LogicalPlan => {
  const predicate = andAll(conjuncts);
  return predicate ? { kind: "Filter", input, predicate, schema: input.schema } : input;
};

const within = (e: Expr, names: ReadonlySet<string>) => {
  const cols = columnsOf(e);
  return cols.size > 0 && [...cols].every((c) => names.has(c));
};

/** `filter(rest)` over `below`, or `below` itself when every conjunct moved. */
const keep = (p: Filter, below: LogicalPlan, rest: readonly Expr[]): LogicalPlan => (rest.length === 0 ? below : { ...p, input: below, predicate: andAll(rest) as Expr, schema: below.schema });

function throughJoin(p: Filter, j: Join): LogicalPlan {
  const leftNames = new Set(j.left.schema.fields.map((f) => f.name));
  const rightNames = new Set(j.right.schema.fields.map((f) => f.name));
  const keys = new Set(j.on.kind === "using" ? j.on.columns : []);
  // Which sides a conjunct may filter without changing the join's result (outer joins keep unmatched rows).
  const toLeft = j.how === "inner" || j.how === "cross" || j.how === "left" || j.how === "semi" || j.how === "anti";
  const toRight = j.how === "inner" || j.how === "cross" || j.how === "right";
  const left: Expr[] = [];
  const right: Expr[] = [];
  const rest: Expr[] = [];
  for (const c of splitConjuncts(p.predicate)) {
    // On an inner join on column names, a filter on the keys alone holds on both sides.
    if (j.how === "inner" && within(c, keys)) {
      left.push(c);
      right.push(c);
    } else if (toLeft && within(c, leftNames)) left.push(c);
    else if (toRight && within(c, rightNames)) right.push(c);
    else rest.push(c);
  }
  if (left.length === 0 && right.length === 0) return p;
  return keep(p, { ...j, left: filterOver(j.left, left), right: filterOver(j.right, right) }, rest);
}

function pushDown(p: Filter, ctx: RuleContext): LogicalPlan {
  const below = p.input;
  if (ctx.isShared(below)) return p;
  switch (below.kind) {
    case "Project": {
      const byName = new Map(below.exprs.map((ne) => [ne.name, ne.expr]));
      const moved: Expr[] = [];
      const rest: Expr[] = [];
      for (const c of splitConjuncts(p.predicate)) {
        // Only through columns passed or renamed: pushing `f(x) > 0` below would compute f twice.
        const cheap = [...columnsOf(c)].every((n) => {
          const e = byName.get(n);
          return e !== undefined && (e.kind === "Column" || e.kind === "Literal" || e.kind === "Param");
        });
        (cheap ? moved : rest).push(c);
      }
      if (moved.length === 0) return p;
      const pushed = filterOver(below.input, moved.map((c) => substituteColumns(c, byName)));
      return keep(p, { ...below, input: pushed }, rest);
    }
    case "Sort":
      return { ...below, input: { ...p, input: below.input, schema: below.input.schema } };
    case "Union": {
      const names = below.schema.fields.map((f) => f.name);
      const inputs = below.inputs.map((input) => {
        // Union columns match by position; each branch names them its own way.
        const rename = new Map(names.map((n, i) => [n, col(input.schema.fields[i]?.name ?? n)] as const));
        return filterOver(input, [substituteColumns(p.predicate, rename)]);
      });
      return { ...below, inputs };
    }
    case "Join":
      return throughJoin(p, below);
    case "Aggregate": {
      // A filter on grouping keys alone removes whole groups, before or after aggregating.
      const keys = new Set(below.groupBy);
      const moved: Expr[] = [];
      const rest: Expr[] = [];
      for (const c of splitConjuncts(p.predicate)) (within(c, keys) ? moved : rest).push(c);
      if (moved.length === 0) return p;
      return keep(p, { ...below, input: filterOver(below.input, moved) }, rest);
    }
    default:
      return p;
  }
}

/**
 * Moves filters towards the scans: through projections (substituting passed-through columns),
 * sorts, unions (each branch), into the join sides a conjunct references where the join type
 * allows it, and below an aggregate when they reference only grouping keys.
 */
export const pushDownFilter: OptimizerRule = {
  name: "push_down_filter",
  rewrite: (p: LogicalPlan, ctx) => (p.kind === "Filter" ? pushDown(p, ctx) : p),
};
