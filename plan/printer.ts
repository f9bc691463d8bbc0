import { assertNever, type Expr, formatExpr, type NamedExpr, type SortKey } from "./expr.ts";
import { inputsOf, type LogicalPlan, type PipelinePlan, type Sink } from "./logical.ts";
import {
  type Partitioning,
  type PhysicalAggregate,
  type PhysicalPipeline,
  type PhysicalPlan,
  type PhysicalSink,
  physicalInputs,
} from "./physical.ts";
import { formatSchema } from "./schema.ts";
import type { ExecSchema } from "./physical.ts";

/*
 * Explain text: one node per line, `Name: key=value ...`, the output schema last, two spaces
 * of indentation per depth. A node reachable more than once (a shared sub-plan, computed once
 * per run) is printed in full the first time, tagged `#k`, and later as `-> see #k (Name)`.
 */

const list = (xs: readonly string[]) => `[${xs.join(", ")}]`;
const named = (e: NamedExpr) => (e.expr.kind === "Column" && e.expr.side === undefined && e.expr.name === e.name ? e.name : `${formatExpr(e.expr)} AS ${e.name}`);
const aggText = (a: { name: string; fn: string; arg?: Expr }) => `${a.fn}(${a.arg ? formatExpr(a.arg) : ""}) AS ${a.name}`;

function sortKey(k: SortKey): string {
  const dir = k.descending ? "desc" : "asc";
  const nulls = k.nullsFirst === !k.descending ? "" : k.nullsFirst ? " nulls first" : " nulls last";
  return `${formatExpr(k.expr)} ${dir}${nulls}`;
}

function options(o: object): string {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined);
  return entries.length === 0 ? "" : ` options=${JSON.stringify(Object.fromEntries(entries))}`;
}

function execSchema(s: ExecSchema): string {
  if (!s.fields.some((f) => f.list)) return formatSchema(s);
  return `[${s.fields.map((f) => `${f.name}:${f.list ? `list<${f.type}>` : f.type}${f.nullable ? ";N" : ""}`).join(", ")}]`;
}

function logicalLine(p: LogicalPlan): [string, string] {
  switch (p.kind) {
    case "Scan":
      return ["Scan", `format=${p.format} path=${JSON.stringify(p.path)}${options(p.options)}${p.filters.length ? ` filters=${list(p.filters.map(formatExpr))}` : ""}`];
    case "Filter":
      return ["Filter", `predicate=${formatExpr(p.predicate)}`];
    case "Project":
      return ["Project", `exprs=${list(p.exprs.map(named))}`];
    case "Aggregate":
      return ["Aggregate", `groupBy=${list(p.groupBy)} aggs=${list(p.aggs.map(aggText))}`];
    case "Join":
      return ["Join", `how=${p.how} on=${p.on.kind === "using" ? list(p.on.columns) : formatExpr(p.on.predicate)}`];
    case "Sort":
      return ["Sort", `keys=${list(p.keys.map(sortKey))}`];
    case "Limit":
      return ["Limit", `fetch=${p.fetch}`];
    case "Distinct":
      return ["Distinct", `columns=${list(p.columns)}`];
    case "Union":
      return ["Union", `byName=${p.byName}`];
    case "Cache":
      return ["Cache", ""];
    default:
      return assertNever(p);
  }
}

function partitioning(p: Partitioning): string {
  switch (p.kind) {
    case "hash":
      return `hash(${list(p.exprs.map(formatExpr))}, ${p.count})`;
    case "range":
      return `range(${list(p.keys.map(sortKey))}, ${p.count})`;
    case "single":
      return "single";
    case "roundRobin":
      return `roundRobin(${p.count})`;
    default:
      return assertNever(p);
  }
}

const physAgg = (a: PhysicalAggregate) => aggText(a);

function physicalLine(p: PhysicalPlan): [string, string] {
  switch (p.kind) {
    case "ScanExec":
      return [p.kind, `format=${p.format} path=${JSON.stringify(p.path)} columns=${list(p.columns)}${options(p.options)}${p.filters.length ? ` filters=${list(p.filters.map(formatExpr))}` : ""}`];
    case "FilterExec":
      return [p.kind, `predicate=${formatExpr(p.predicate)}`];
    case "ProjectionExec":
      return [p.kind, `exprs=${list(p.exprs.map(named))}`];
    case "HashAggregateExec":
      return [p.kind, `mode=${p.mode} groupBy=${list(p.groupBy)} aggs=${list(p.aggs.map(physAgg))}`];
    case "HashJoinExec":
      return [p.kind, `how=${p.how} keys=${list(p.keys)} mode=${p.mode} build=${p.buildSide}`];
    case "NestedLoopJoinExec":
      return [p.kind, `how=${p.how} condition=${formatExpr(p.condition)} mode=${p.mode}`];
    case "SortExec":
      return [p.kind, `keys=${list(p.keys.map(sortKey))}${p.fetch === undefined ? "" : ` fetch=${p.fetch}`}`];
    case "LocalLimitExec":
    case "GlobalLimitExec":
      return [p.kind, `fetch=${p.fetch}`];
    case "DistinctExec":
      return [p.kind, `columns=${list(p.columns)}`];
    case "UnionExec":
      return [p.kind, ""];
    case "RepartitionExec":
      return [p.kind, `partitioning=${partitioning(p.partitioning)}`];
    case "CacheExec":
      return [p.kind, ""];
    default:
      return assertNever(p);
  }
}

/** Prints DAGs of nodes, each shared node in full once. */
class TreePrinter<N extends object> {
  private readonly refs = new Map<N, number>();
  private readonly tags = new Map<N, number>();
  readonly lines: string[] = [];

  constructor(
    roots: readonly N[],
    private readonly children: (n: N) => readonly N[],
    private readonly line: (n: N) => [string, string],
    private readonly schema: (n: N) => string,
  ) {
    const visit = (n: N): void => {
      const r = (this.refs.get(n) ?? 0) + 1;
      this.refs.set(n, r);
      if (r === 1) for (const c of children(n)) visit(c);
    };
    for (const r of roots) visit(r);
  }

  print(n: N, depth: number): void {
    const indent = "  ".repeat(depth);
    const [name, detail] = this.line(n);
    const seen = this.tags.get(n);
    if (seen !== undefined) {
      this.lines.push(`${indent}-> see #${seen} (${name})`);
      return;
    }
    let tag = "";
    if ((this.refs.get(n) ?? 0) > 1) {
      const k = this.tags.size + 1;
      this.tags.set(n, k);
      tag = ` #${k}`;
    }
    this.lines.push(`${indent}${name}${tag}:${detail ? ` ${detail}` : ""} ${this.schema(n)}`);
    for (const c of this.children(n)) this.print(c, depth + 1);
  }
}

const logicalPrinter = (roots: readonly LogicalPlan[]) => new TreePrinter<LogicalPlan>(roots, inputsOf, logicalLine, (n) => formatSchema(n.schema));
const physicalPrinter = (roots: readonly PhysicalPlan[]) =>
  new TreePrinter<PhysicalPlan>(roots, physicalInputs, (n) => {
    const [name, detail] = physicalLine(n);
    return [name, `${detail}${detail ? " " : ""}partitions=${n.partitions}`];
  }, (n) => execSchema(n.schema));

/** Explain text of one logical plan. */
export function formatLogicalPlan(plan: LogicalPlan): string {
  const p = logicalPrinter([plan]);
  p.print(plan, 0);
  return p.lines.join("\n");
}

/** Explain text of one physical plan. */
export function formatPhysicalPlan(plan: PhysicalPlan): string {
  const p = physicalPrinter([plan]);
  p.print(plan, 0);
  return p.lines.join("\n");
}

function sinkLine(s: Sink | PhysicalSink): string {
  switch (s.kind) {
    case "Write":
    case "WriteSink":
      return `${s.kind}: format=${s.format} path=${JSON.stringify(s.path)}${options(s.options)}`;
    case "Show":
    case "ShowSink":
      return `${s.kind}: rows=${s.rows}${s.title !== undefined ? ` title=${JSON.stringify(s.title)}` : ""}`;
    case "Output":
    case "OutputSink":
      return `${s.kind}: name=${JSON.stringify(s.name)}`;
    default:
      return assertNever(s);
  }
}

function paramsLine(params: PipelinePlan["params"]): string[] {
  if (params.length === 0) return [];
  return [`Params: ${list(params.map((p) => `${p.name}:${p.type}${p.optional ? "?" : ""}${p.default !== undefined ? `=${JSON.stringify(p.default)}` : ""}`))}`];
}

/** Explain text of a pipeline's logical plan: each sink, then the plan under it. */
export function formatLogicalPipeline(plan: PipelinePlan): string {
  const printer = logicalPrinter(plan.sinks.map((s) => s.input));
  printer.lines.push(`Pipeline: name=${JSON.stringify(plan.name)}`, ...paramsLine(plan.params));
  for (const s of plan.sinks) {
    printer.lines.push(sinkLine(s));
    printer.print(s.input, 1);
  }
  return printer.lines.join("\n");
}

/** Explain text of a physical pipeline: each sink, then the plan under it. */
export function formatPhysicalPipeline(plan: PhysicalPipeline): string {
  const printer = physicalPrinter(plan.sinks.map((s) => s.input));
  printer.lines.push(`Pipeline: name=${JSON.stringify(plan.name)} partitions=${plan.partitions}`, ...paramsLine(plan.params));
  for (const s of plan.sinks) {
    printer.lines.push(sinkLine(s));
    printer.print(s.input, 1);
  }
  return printer.lines.join("\n");
}
