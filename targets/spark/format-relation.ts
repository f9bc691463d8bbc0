import { daysToIso } from "../../plan/functions.ts";
import type { ProtoMessage, ProtoValue } from "./proto/codec.ts";
import type { SparkAction, SparkRelation } from "./translate-plan.ts";

/**
 * `tsdf explain --target spark`: each sink's Spark Connect relation tree, one node per line,
 * two-space indentation, expressions in Spark SQL's notation.
 */
export function formatSparkActions(actions: readonly SparkAction[]): string {
  const lines: string[] = [];
  for (const a of actions) {
    switch (a.kind) {
      case "Write": {
        const w = a.command.write_operation as ProtoMessage;
        const parts = w.partitioning_columns as readonly string[];
        lines.push(`WriteOperation: source=${w.source} path=${w.path} mode=${String(w.mode).replace("SAVE_MODE_", "")}${parts.length > 0 ? ` partitionBy=[${parts.join(", ")}]` : ""}`);
        formatRelation(w.input as SparkRelation, 1, lines);
        break;
      }
      case "Show":
        lines.push(`Show: rows=${a.sink.rows}${a.sink.title === undefined ? "" : ` title=${JSON.stringify(a.sink.title)}`}`);
        formatRelation(a.relation, 1, lines);
        break;
      case "Output":
        lines.push(`Output: name=${a.sink.name}`);
        formatRelation(a.relation, 1, lines);
        break;
    }
  }
  return lines.join("\n");
}

const msg = (v: ProtoValue | undefined): ProtoMessage => v as ProtoMessage;
const list = (v: ProtoValue | undefined): readonly ProtoMessage[] => (v ?? []) as readonly ProtoMessage[];

function formatRelation(r: SparkRelation, depth: number, out: string[]): void {
  const { text, inputs } = describeRelation(r);
  out.push(`${"  ".repeat(depth)}${text}`);
  for (const input of inputs) formatRelation(msg(input), depth + 1, out);
}

/** One relation's explain line and its input relations. */
function describeRelation(r: SparkRelation): { text: string; inputs: readonly (ProtoValue | undefined)[] } {
  const [kind, body] = Object.entries(r)[0] as [string, ProtoMessage];
  switch (kind) {
    case "read": {
      const ds = msg(body.data_source);
      const opts = Object.entries(msg(ds.options)).map(([k, v]) => `${k}=${v}`);
      const options = opts.length > 0 ? ` options={${opts.join(", ")}}` : "";
      return { text: `Read: format=${ds.format} paths=[${(ds.paths as string[]).join(", ")}]${options} schema=<${ds.schema}>`, inputs: [] };
    }
    case "project":
      return { text: `Project: ${list(body.expressions).map(formatSparkExpr).join(", ")}`, inputs: [body.input] };
    case "filter":
      return { text: `Filter: ${formatSparkExpr(msg(body.condition))}`, inputs: [body.input] };
    case "aggregate": {
      const keys = list(body.grouping_expressions).map(formatSparkExpr).join(", ");
      return { text: `Aggregate: groupBy=[${keys}] aggs=[${list(body.aggregate_expressions).map(formatSparkExpr).join(", ")}]`, inputs: [body.input] };
    }
    case "join": {
      const using = (body.using_columns as readonly string[] | undefined) ?? [];
      const on = body.join_condition === undefined ? (using.length > 0 ? ` using=[${using.join(", ")}]` : "") : ` on=${formatSparkExpr(msg(body.join_condition))}`;
      return { text: `Join: type=${String(body.join_type).replace("JOIN_TYPE_", "")}${on}`, inputs: [body.left, body.right] };
    }
    case "subquery_alias":
      return { text: `SubqueryAlias: ${body.alias}`, inputs: [body.input] };
    case "sort":
      return { text: `Sort: ${list(body.order).map(formatSortOrder).join(", ")}`, inputs: [body.input] };
    case "limit":
      return { text: `Limit: ${body.limit}`, inputs: [body.input] };
    case "deduplicate":
      return { text: "Deduplicate: all columns", inputs: [body.input] };
    case "set_op":
      return { text: `SetOperation: UNION ALL${body.by_name ? " BY NAME" : ""}`, inputs: [body.left_input, body.right_input] };
    default:
      throw new Error(`internal: no explain form for relation '${kind}'`);
  }
}

function formatSortOrder(o: ProtoMessage): string {
  const dir = o.direction === "SORT_DIRECTION_DESCENDING" ? "DESC" : "ASC";
  const nulls = o.null_ordering === "SORT_NULLS_FIRST" ? "NULLS FIRST" : "NULLS LAST";
  return `${formatSparkExpr(msg(o.child))} ${dir} ${nulls}`;
}

const INFIX = /^(?:[^a-z_]+|and|or|div)$/i;

export function formatSparkExpr(e: ProtoMessage): string {
  const [kind, body] = Object.entries(e)[0] as [string, ProtoMessage];
  switch (kind) {
    case "unresolved_attribute":
      return String(body.unparsed_identifier);
    case "unresolved_function": {
      const name = String(body.function_name);
      const args = list(body.arguments).map(formatSparkExpr);
      if (INFIX.test(name) && args.length === 2) return `(${args[0]} ${name.toUpperCase()} ${args[1]})`;
      return `${name}(${body.is_distinct ? "DISTINCT " : ""}${args.join(", ")})`;
    }
    case "alias":
      return `${formatSparkExpr(msg(body.expr))} AS ${(body.name as string[]).join(".")}`;
    case "cast":
      return `${body.eval_mode === "EVAL_MODE_TRY" ? "TRY_CAST" : "CAST"}(${formatSparkExpr(msg(body.expr))} AS ${typeName(msg(body.type))})`;
    case "expression_string":
      return String(body.expression);
    case "literal":
      return formatLiteral(body);
    default:
      return `${kind}?`;
  }
}

function typeName(t: ProtoMessage): string {
  return (Object.keys(t)[0] ?? "?").toUpperCase();
}

function formatLiteral(l: ProtoMessage): string {
  const [kind, v] = Object.entries(l)[0] as [string, ProtoValue];
  switch (kind) {
    case "null":
      return `CAST(NULL AS ${typeName(v as ProtoMessage)})`;
    case "string":
      return `'${String(v).replaceAll("'", "\\'")}'`;
    case "long":
      return `${v}L`;
    case "double":
      return Number.isFinite(v) ? `${v}D` : `double('${v}')`;
    case "date":
      return `DATE '${daysToIso(v as number)}'`;
    case "timestamp":
      return `TIMESTAMP_MICROS(${v})`;
    default:
      return String(v);
  }
}
