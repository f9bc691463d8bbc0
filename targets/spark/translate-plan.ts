import { resolve } from "node:path";
import { type SourceLocation, TsdfError } from "../../plan/errors.ts";
import { assertNever } from "../../plan/expr.ts";
import type { Scope } from "../../plan/expr-type.ts";
import type { Join, LogicalPlan, PipelinePlan, Scan, Sink, WriteMode } from "../../plan/logical.ts";
import type { DataType, Schema } from "../../plan/schema.ts";
import type { ProtoMessage } from "./proto/codec.ts";
import { alias, attr, call, ifThen, str } from "./spark-exprs.ts";
import { type ExprContext, incompatible, type RunValues, translateAgg, translateExpr, truthy } from "./translate-expr.ts";

export type SparkRelation = ProtoMessage;

/** One sink as Spark work: a write command, or a relation whose rows come back. */
export type SparkAction =
  | { readonly kind: "Write"; readonly command: ProtoMessage; readonly sink: Extract<Sink, { kind: "Write" }> }
  | { readonly kind: "Show"; readonly relation: SparkRelation; readonly sink: Extract<Sink, { kind: "Show" }> }
  | { readonly kind: "Output"; readonly relation: SparkRelation; readonly sink: Extract<Sink, { kind: "Output" }> };

export interface TranslateOptions extends RunValues {
  /** Where the pipeline's relative paths point on the cluster: a local folder or a URI (`s3a://bucket/data`). */
  readonly dataDir?: string;
}

/** Join sides are re-aliased so a condition's `l.x` and `r.x` stay apart however deep the joins nest. */
const SIDES = ["__tsdf_l", "__tsdf_r"] as const;

/**
 * Translates every sink of an optimized pipeline to Spark Connect. Throws TSDF7001 at the
 * first construct with no faithful mapping, naming its source location; nothing is sent.
 */
export function translatePipeline(plan: PipelinePlan, options: TranslateOptions = {}): SparkAction[] {
  const memo = new Map<LogicalPlan, SparkRelation>();
  const rel = (p: LogicalPlan): SparkRelation => {
    let r = memo.get(p);
    if (r === undefined) {
      r = translateRelation(p, rel, options);
      memo.set(p, r);
    }
    return r;
  };
  return plan.sinks.map((sink): SparkAction => {
    try {
      return translateSink(sink, rel, options);
    } catch (e) {
      // Nodes without a lambda carry no source location yet: say at least which sink reads them.
      if (e instanceof TsdfError && e.location === undefined) {
        throw new TsdfError(e.code, e.message, sink.loc, [`in ${sinkName(sink)} of pipeline '${plan.name}'`, ...e.notes]);
      }
      throw e;
    }
  });
}

function sinkName(sink: Sink): string {
  return sink.kind === "Output" ? `p.output("${sink.name}")` : sink.kind === "Show" ? "show()" : `write.${sink.format}("${sink.path}")`;
}

function translateSink(sink: Sink, rel: (p: LogicalPlan) => SparkRelation, options: TranslateOptions): SparkAction {
  switch (sink.kind) {
    case "Write":
      return { kind: "Write", sink, command: { write_operation: writeOperation(sink, rel(sink.input), options) } };
    case "Show":
      // One row more than shown tells whether to print "only showing top N rows".
      return { kind: "Show", sink, relation: { limit: { input: rel(sink.input), limit: sink.rows + 1 } } };
    case "Output":
      return { kind: "Output", sink, relation: rel(sink.input) };
    default:
      return assertNever(sink);
  }
}

/** A path of the pipeline as the cluster sees it; without a data folder (explain), as the pipeline wrote it. */
export function clusterPath(path: string, dataDir: string | undefined): string {
  if (dataDir === undefined || /^[a-z][a-z0-9+.-]*:\/\//i.test(path) || path.startsWith("/")) return path;
  const base = dataDir;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(base)) return `${base.replace(/\/+$/, "")}/${path}`;
  // A local folder: absolute, so the cluster's executors (sharing the filesystem) find it.
  return resolve(base, path);
}

const SAVE_MODES: Record<WriteMode, string> = {
  overwrite: "SAVE_MODE_OVERWRITE",
  append: "SAVE_MODE_APPEND",
  errorIfExists: "SAVE_MODE_ERROR_IF_EXISTS",
  ignore: "SAVE_MODE_IGNORE",
};

function writeOperation(sink: Extract<Sink, { kind: "Write" }>, input: SparkRelation, options: TranslateOptions): ProtoMessage {
  if (sink.format === "arrow") throw incompatible("write.arrow()", "Spark has no Arrow IPC file writer; write Parquet", sink.loc);
  const o = sink.options;
  const writeOptions: Record<string, string> =
    sink.format === "csv"
      ? {
          header: String(o.header ?? true),
          ...(o.delimiter !== undefined && { sep: o.delimiter }),
          // tsdf keeps a value's spaces on write; Spark's CSV writer trims them unless told not to.
          ignoreLeadingWhiteSpace: "false",
          ignoreTrailingWhiteSpace: "false",
        }
      : {};
  return {
    input,
    source: sink.format,
    path: clusterPath(sink.path, options.dataDir),
    mode: SAVE_MODES[o.mode ?? "errorIfExists"],
    partitioning_columns: o.partitionBy ?? [],
    options: writeOptions,
  };
}

const DDL_TYPES: Record<DataType, string> = {
  utf8: "STRING",
  int32: "INT",
  int64: "BIGINT",
  float64: "DOUBLE",
  boolean: "BOOLEAN",
  date32: "DATE",
  timestamp_us: "TIMESTAMP",
};

export function ddlSchema(schema: Schema): string {
  return schema.fields.map((f) => `\`${f.name.replaceAll("`", "``")}\` ${DDL_TYPES[f.type]}`).join(", ");
}

function translateRelation(p: LogicalPlan, rel: (p: LogicalPlan) => SparkRelation, options: TranslateOptions): SparkRelation {
  const ctx = (scope: Scope, loc: SourceLocation | undefined): ExprContext => ({ scope, values: options, ...(loc && { loc }) });
  switch (p.kind) {
    case "Scan":
      return scan(p, options);
    case "Filter": {
      const c = ctx([p.input.schema], p.loc);
      return { filter: { input: rel(p.input), condition: truthy(p.predicate, c) } };
    }
    case "Project":
      return {
        project: {
          input: rel(p.input),
          expressions: p.exprs.map((n) => alias(translateExpr(n.expr, ctx([p.input.schema], n.loc ?? p.loc)), n.name)),
        },
      };
    case "Aggregate": {
      const c = ctx([p.input.schema], p.loc);
      return {
        aggregate: {
          input: rel(p.input),
          group_type: "GROUP_TYPE_GROUPBY",
          grouping_expressions: p.groupBy.map((k) => attr(k)),
          aggregate_expressions: p.aggs.map((a) => alias(translateAgg({ kind: "Agg", fn: a.fn, ...(a.arg && { arg: a.arg }) }, c), a.name)),
        },
      };
    }
    case "Join":
      return join(p, rel, options);
    case "Sort": {
      const c = ctx([p.input.schema], p.loc);
      return {
        sort: {
          input: rel(p.input),
          order: p.keys.map((k) => ({
            child: translateExpr(k.expr, c),
            direction: k.descending ? "SORT_DIRECTION_DESCENDING" : "SORT_DIRECTION_ASCENDING",
            null_ordering: k.nullsFirst ? "SORT_NULLS_FIRST" : "SORT_NULLS_LAST",
          })),
          is_global: true,
        },
      };
    }
    case "Limit":
      if (!ordered(p.input)) {
        throw incompatible("limit() on unordered rows", "tsdf keeps the first rows in input order, which Spark does not keep; put an orderBy() before limit()", p.loc);
      }
      return { limit: { input: rel(p.input), limit: p.fetch } };
    case "Distinct": {
      const all = p.columns.length === 0 || p.columns.length === p.input.schema.fields.length;
      if (!all) {
        throw incompatible(
          `dropDuplicates(${p.columns.map((k) => JSON.stringify(k)).join(", ")})`,
          "tsdf keeps each key's first row in input order, Spark an arbitrary one; aggregate the other columns with groupBy().agg() instead",
          p.loc,
        );
      }
      return { deduplicate: { input: rel(p.input), all_columns_as_keys: true } };
    }
    case "Union": {
      const [first, ...rest] = p.inputs.map(rel);
      if (first === undefined) throw new Error("internal: a union without inputs");
      return rest.reduce<SparkRelation>(
        (left, right) => ({ set_op: { left_input: left, right_input: right, set_op_type: "SET_OP_TYPE_UNION", is_all: true, by_name: p.byName } }),
        first,
      );
    }
    case "Cache":
      // Spark recomputes a shared sub-plan per action; the rows are the same.
      return rel(p.input);
    default:
      return assertNever(p);
  }
}

/** Whether rows arrive in a defined order: an orderBy() with only order-keeping steps above it. */
function ordered(p: LogicalPlan): boolean {
  switch (p.kind) {
    case "Sort":
      return true;
    case "Project":
    case "Filter":
    case "Limit":
    case "Cache":
      return ordered(p.input);
    default:
      return false;
  }
}

function scan(p: Scan, options: TranslateOptions): SparkRelation {
  if (p.format === "arrow") throw incompatible("read.arrow()", "Spark has no Arrow IPC file reader; convert the input to Parquet", p.loc);
  const o = p.options;
  const readOptions: Record<string, string> = {};
  if (p.format === "csv") {
    readOptions.header = String(o.header ?? true);
    // tsdf checks the header's names against the schema; so does Spark when told not to enforce the schema.
    readOptions.enforceSchema = "false";
    if (o.delimiter !== undefined) readOptions.sep = o.delimiter;
    if (o.nullValue !== undefined) readOptions.nullValue = o.nullValue;
  }
  if (p.format !== "parquet") readOptions.mode = o.mode ?? "PERMISSIVE";
  const read: SparkRelation = {
    read: { data_source: { format: p.format, schema: ddlSchema(p.fileSchema), options: readOptions, paths: [clusterPath(p.path, options.dataDir)] } },
  };
  // Spark reads every declared column as nullable; tsdf drops (or, FAILFAST, fails on) a row whose
  // non-nullable column is missing.
  const required = p.schema.fields.filter((f) => !f.nullable).map((f) => f.name);
  const failfast = o.mode === "FAILFAST";
  const expressions = p.schema.fields.map((f) =>
    failfast && !f.nullable
      ? alias(ifThen(call("isnull", attr(f.name)), call("raise_error", str(`${p.path}: column '${f.name}' is missing in a row (FAILFAST)`)), attr(f.name)), f.name)
      : attr(f.name),
  );
  const checked: SparkRelation =
    required.length > 0 && !failfast
      ? { filter: { input: read, condition: required.map((k) => call("isnotnull", attr(k))).reduce((a, b) => call("and", a, b)) } }
      : read;
  return { project: { input: checked, expressions } };
}

function join(p: Join, rel: (p: LogicalPlan) => SparkRelation, options: TranslateOptions): SparkRelation {
  const joinType = JOIN_TYPES[p.how];
  let joined: SparkRelation;
  if (p.on.kind === "using") {
    joined = { join: { left: rel(p.left), right: rel(p.right), join_type: joinType, using_columns: p.on.columns } };
  } else {
    const c: ExprContext = { scope: [p.left.schema, p.right.schema], values: options, sides: SIDES, ...(p.loc && { loc: p.loc }) };
    const always = p.on.predicate.kind === "Literal" && p.on.predicate.value === true;
    joined = {
      join: {
        left: { subquery_alias: { input: rel(p.left), alias: SIDES[0] } },
        right: { subquery_alias: { input: rel(p.right), alias: SIDES[1] } },
        join_type: joinType,
        ...(!always && { join_condition: truthy(p.on.predicate, c) }),
      },
    };
  }
  // Spark puts a using join's keys first even for semi and anti joins; tsdf's column order is the plan's.
  return { project: { input: joined, expressions: p.schema.fields.map((f) => attr(f.name)) } };
}

const JOIN_TYPES: Record<Join["how"], string> = {
  inner: "JOIN_TYPE_INNER",
  left: "JOIN_TYPE_LEFT_OUTER",
  right: "JOIN_TYPE_RIGHT_OUTER",
  full: "JOIN_TYPE_FULL_OUTER",
  semi: "JOIN_TYPE_LEFT_SEMI",
  anti: "JOIN_TYPE_LEFT_ANTI",
  cross: "JOIN_TYPE_CROSS",
};
