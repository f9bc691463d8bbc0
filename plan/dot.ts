import { formatExpr } from "./expr.ts";
import { inputsOf, type LogicalPlan, type PipelinePlan, type Sink } from "./logical.ts";
import { formatSchema } from "./schema.ts";

function label(p: LogicalPlan): string {
  switch (p.kind) {
    case "Scan":
      return `Scan ${p.format} ${p.path}`;
    case "Filter":
      return `Filter ${formatExpr(p.predicate)}`;
    case "Project":
      return `Project ${p.exprs.map((e) => e.name).join(", ")}`;
    case "Aggregate":
      return `Aggregate by [${p.groupBy.join(", ")}]: ${p.aggs.map((a) => a.name).join(", ")}`;
    case "Join":
      return `Join ${p.how} ${p.on.kind === "using" ? p.on.columns.join(", ") : formatExpr(p.on.predicate)}`;
    case "Sort":
      return `Sort ${p.keys.map((k) => `${formatExpr(k.expr)}${k.descending ? " desc" : ""}`).join(", ")}`;
    case "Limit":
      return `Limit ${p.fetch}`;
    case "Distinct":
      return `Distinct ${p.columns.join(", ")}`;
    case "Union":
      return `Union${p.byName ? " by name" : ""}`;
    case "Cache":
      return "Cache";
  }
}

function sinkLabel(s: Sink): string {
  switch (s.kind) {
    case "Write":
      return `Write ${s.format} ${s.path}`;
    case "Show":
      return `Show ${s.rows}`;
    case "Output":
      return `Output ${s.name}`;
  }
}

const quote = (s: string) => JSON.stringify(s);

/** The logical plan as a Graphviz digraph: shared sub-plans appear once, with several consumers. */
export function formatDot(plan: PipelinePlan): string {
  const ids = new Map<LogicalPlan, string>();
  const lines = [`digraph ${quote(plan.name)} {`, "  rankdir=BT;", "  node [shape=box, fontname=monospace];"];
  const visit = (p: LogicalPlan): string => {
    let id = ids.get(p);
    if (id) return id;
    id = `n${ids.size}`;
    ids.set(p, id);
    lines.push(`  ${id} [label=${quote(`${label(p)}\n${formatSchema(p.schema)}`)}];`);
    for (const input of inputsOf(p)) lines.push(`  ${visit(input)} -> ${id};`);
    return id;
  };
  plan.sinks.forEach((s, i) => {
    lines.push(`  s${i} [label=${quote(sinkLabel(s))}, shape=note];`);
    lines.push(`  ${visit(s.input)} -> s${i};`);
  });
  lines.push("}");
  return lines.join("\n");
}
