import { z } from "zod";
import { TsdfError } from "./errors.ts";
import { assertNever } from "./expr.ts";
import { inputsOf, type LogicalPlan, type PipelinePlan, type Sink } from "./logical.ts";
import { DATA_TYPES } from "./schema.ts";

/** Bump when the JSON shape changes; a bundle built for another version refuses to load. */
export const PLAN_FORMAT_VERSION = 1;

/** A logical node in the node table: its inputs are ids of earlier nodes. */
export type SerializedNode = { readonly id: number } & Record<string, unknown>;
export interface SerializedPlan {
  readonly version: number;
  readonly name: string;
  readonly params: PipelinePlan["params"];
  readonly nodes: readonly SerializedNode[];
  readonly sinks: readonly (Record<string, unknown> & { readonly input: number })[];
}

/**
 * The plan as JSON: nodes in a table (inputs before the nodes that read them), each shared
 * node once, so `deserializePlan` restores the sharing.
 */
export function serializePlan(plan: PipelinePlan): SerializedPlan {
  const ids = new Map<LogicalPlan, number>();
  const nodes: SerializedNode[] = [];
  const visit = (p: LogicalPlan): number => {
    const known = ids.get(p);
    if (known !== undefined) return known;
    for (const c of inputsOf(p)) visit(c);
    const id = nodes.length;
    const node: Record<string, unknown> = { ...p, id };
    switch (p.kind) {
      case "Join":
        node.left = ids.get(p.left);
        node.right = ids.get(p.right);
        break;
      case "Union":
        node.inputs = p.inputs.map((i) => ids.get(i));
        break;
      case "Scan":
        break;
      default:
        node.input = ids.get(p.input);
    }
    ids.set(p, id);
    nodes.push(node as SerializedNode);
    return id;
  };
  const sinks = plan.sinks.map((s) => ({ ...s, input: visit(s.input) }));
  return { version: PLAN_FORMAT_VERSION, name: plan.name, params: plan.params, nodes, sinks };
}

const dataType = z.enum(DATA_TYPES as [string, ...string[]]);
const field = z.object({ name: z.string(), type: dataType, nullable: z.boolean() });
const schema = z.object({ fields: z.array(field) });
const loc = z.object({ file: z.string(), line: z.number(), column: z.number(), lineText: z.string().optional() }).optional();
const id = z.number().int().nonnegative();

const expr: z.ZodType<unknown> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("Column"), name: z.string(), side: z.union([z.literal(0), z.literal(1)]).optional() }),
    z.object({ kind: z.literal("Literal"), value: z.union([z.string(), z.number(), z.boolean(), z.null()]), type: z.union([dataType, z.literal("null")]) }),
    z.object({ kind: z.literal("Param"), name: z.string(), type: dataType }),
    z.object({ kind: z.literal("Binary"), op: z.enum(["+", "-", "*", "/", "%", "===", "!==", "<", "<=", ">", ">="]), left: expr, right: expr }),
    z.object({ kind: z.literal("Unary"), op: z.enum(["!", "-"]), operand: expr }),
    z.object({ kind: z.literal("Logical"), op: z.enum(["&&", "||", "??"]), left: expr, right: expr }),
    z.object({ kind: z.literal("Conditional"), test: expr, whenTrue: expr, whenFalse: expr }),
    z.object({ kind: z.literal("IsNull"), operand: expr, negated: z.boolean() }),
    z.object({ kind: z.literal("Call"), fn: z.string(), args: z.array(expr) }),
    z.object({ kind: z.literal("Cast"), operand: expr, to: dataType }),
    z.object({ kind: z.literal("Agg"), fn: aggFn, arg: expr.optional() }),
  ]),
);
const aggFn = z.enum(["count", "count_distinct", "sum", "avg", "min", "max", "first", "last", "stddev"]);
const format = z.enum(["csv", "parquet", "json", "arrow"]);
const base = { id, schema, loc };

const node = z.discriminatedUnion("kind", [
  z.object({
    ...base,
    kind: z.literal("Scan"),
    format,
    path: z.string(),
    options: z.object({
      header: z.boolean().optional(),
      delimiter: z.string().optional(),
      mode: z.enum(["PERMISSIVE", "DROPMALFORMED", "FAILFAST"]).optional(),
      nullValue: z.string().optional(),
    }),
    fileSchema: schema,
    filters: z.array(expr),
  }),
  z.object({ ...base, kind: z.literal("Filter"), input: id, predicate: expr }),
  z.object({ ...base, kind: z.literal("Project"), input: id, exprs: z.array(z.object({ name: z.string(), expr, loc })) }),
  z.object({
    ...base,
    kind: z.literal("Aggregate"),
    input: id,
    groupBy: z.array(z.string()),
    aggs: z.array(z.object({ name: z.string(), fn: aggFn, arg: expr.optional() })),
  }),
  z.object({
    ...base,
    kind: z.literal("Join"),
    left: id,
    right: id,
    how: z.enum(["inner", "left", "right", "full", "semi", "anti", "cross"]),
    on: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("using"), columns: z.array(z.string()) }),
      z.object({ kind: z.literal("condition"), predicate: expr }),
    ]),
  }),
  z.object({ ...base, kind: z.literal("Sort"), input: id, keys: z.array(z.object({ expr, descending: z.boolean(), nullsFirst: z.boolean() })) }),
  z.object({ ...base, kind: z.literal("Limit"), input: id, fetch: z.number().int().nonnegative() }),
  z.object({ ...base, kind: z.literal("Distinct"), input: id, columns: z.array(z.string()) }),
  z.object({ ...base, kind: z.literal("Union"), inputs: z.array(id), byName: z.boolean() }),
  z.object({ ...base, kind: z.literal("Cache"), input: id }),
]);

const writeOptions = z.object({
  mode: z.enum(["overwrite", "append", "errorIfExists", "ignore"]).optional(),
  partitionBy: z.array(z.string()).optional(),
  header: z.boolean().optional(),
  delimiter: z.string().optional(),
});
const sink = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("Write"), input: id, format, path: z.string(), options: writeOptions, loc }),
  z.object({ kind: z.literal("Show"), input: id, rows: z.number().int().nonnegative(), title: z.string().optional(), loc }),
  z.object({ kind: z.literal("Output"), input: id, name: z.string(), loc }),
]);
const param = z.object({
  name: z.string(),
  type: dataType,
  optional: z.boolean(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  jsonSchema: z.unknown().optional(),
});

/** The zod schema of a serialized plan (format version 1). */
export const serializedPlanSchema = z.object({
  version: z.literal(PLAN_FORMAT_VERSION),
  name: z.string(),
  params: z.array(param),
  nodes: z.array(node),
  sinks: z.array(sink),
});

function invalid(message: string): TsdfError {
  return new TsdfError("TSDF4011", `the plan is not a valid tsdf plan: ${message}`, undefined, ["rebuild the pipeline with `tsdf build`"]);
}

/** Loads a plan from `serializePlan`'s JSON (an object or its text), restoring shared nodes. */
export function deserializePlan(json: unknown): PipelinePlan {
  let data = json;
  if (typeof data === "string") {
    try {
      data = JSON.parse(data);
    } catch (e) {
      throw invalid(`it is not JSON (${(e as Error).message})`);
    }
  }
  if (typeof data !== "object" || data === null) throw invalid("expected an object");
  const version = (data as { version?: unknown }).version;
  if (version !== PLAN_FORMAT_VERSION) {
    throw new TsdfError("TSDF4010", `this plan has format version ${JSON.stringify(version ?? null)}, but this tsdf runtime reads version ${PLAN_FORMAT_VERSION}`, undefined, [
      "rebuild the pipeline with this version of `tsdf build`",
    ]);
  }
  const parsed = serializedPlanSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(issue ? `${issue.message} at ${issue.path.join(".") || "(root)"}` : "unknown error");
  }
  const built: LogicalPlan[] = [];
  const ref = (i: number, at: number): LogicalPlan => {
    const p = i < at ? built[i] : undefined;
    if (!p) throw invalid(`node ${at} refers to node ${i}, which does not come before it`);
    return p;
  };
  for (const [k, raw] of parsed.data.nodes.entries()) {
    if (raw.id !== k) throw invalid(`node ${k} has id ${raw.id}`);
    const { id: _id, ...n } = raw;
    let p: unknown;
    switch (n.kind) {
      case "Scan":
        p = n;
        break;
      case "Join":
        p = { ...n, left: ref(n.left, k), right: ref(n.right, k) };
        break;
      case "Union":
        p = { ...n, inputs: n.inputs.map((i) => ref(i, k)) };
        break;
      case "Filter":
      case "Project":
      case "Aggregate":
      case "Sort":
      case "Limit":
      case "Distinct":
      case "Cache":
        p = { ...n, input: ref(n.input, k) };
        break;
      default:
        return assertNever(n);
    }
    built.push(stripUndefined(p) as LogicalPlan);
  }
  const sinks = parsed.data.sinks.map((s) => stripUndefined({ ...s, input: ref(s.input, built.length) }) as Sink);
  return { name: parsed.data.name, params: parsed.data.params as PipelinePlan["params"], sinks };
}

/** Drops `loc: undefined` and the like, so a round trip gives back equal objects. */
function stripUndefined(o: unknown): unknown {
  if (typeof o !== "object" || o === null || Array.isArray(o)) return o;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}
