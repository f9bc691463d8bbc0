import * as b from "../plan/builder.ts";
import { TsdfError } from "../plan/errors.ts";
import { assertNever, col, type Expr, type NamedExpr, type SortKey } from "../plan/expr.ts";
import type { FileFormat, LogicalPlan, PipelinePlan, Sink } from "../plan/logical.ts";
import { type Field, findField, schemaOf } from "../plan/schema.ts";
import type { FrameNode } from "./frame-node.ts";
import type { Lambda, LambdaBody } from "./lambda.ts";
import type { TracedPipeline } from "./pipeline.ts";

function bodyOf(l: Lambda, what: string): LambdaBody {
  if (!l.body) {
    throw new TsdfError("TSDF1001", `the ${what} lambda was not compiled: run the pipeline through 'tsdf build' or 'tsdf run'`, l.loc);
  }
  return l.body;
}

function exprOf(l: Lambda, what: string): Expr {
  const body = bodyOf(l, what);
  if (body.kind !== "expr") throw new TsdfError("TSDF1002", `${what} expects a lambda returning one value`, l.loc);
  return body.expr;
}

function recordOf(l: Lambda, what: string): readonly NamedExpr[] {
  const body = bodyOf(l, what);
  if (body.kind !== "record") throw new TsdfError("TSDF1002", `${what} expects a lambda returning an object literal such as (r) => ({ total: r.a + r.b })`, l.loc);
  return body.fields;
}

function sortKeysOf(l: Lambda): readonly SortKey[] {
  const body = bodyOf(l, "orderBy()");
  if (body.kind === "sort") return body.keys;
  if (body.kind === "expr") return [{ expr: body.expr, descending: false, nullsFirst: true }];
  throw new TsdfError("TSDF1002", "orderBy() expects a lambda returning a key, desc(key) or an array of them", l.loc);
}

/** A read without a declared schema: its schema must come from the file, at build time. */
export interface SchemalessRead {
  readonly format: FileFormat;
  readonly path: string;
}

/** The reads of a traced pipeline that declared no schema (`p.read.parquet(path)`). */
export function schemalessReads(traced: TracedPipeline): SchemalessRead[] {
  const seen = new Set<FrameNode>();
  const out: SchemalessRead[] = [];
  const visit = (n: FrameNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    if (n.op === "read") {
      if (!n.fields && !out.some((r) => r.path === n.path)) out.push({ format: n.format, path: n.path });
    } else if (n.op === "join" || n.op === "union") {
      visit(n.left);
      visit(n.right);
    } else visit(n.input);
  };
  for (const s of traced.sinks) visit(s.frame);
  return out;
}

/**
 * Turns a traced pipeline's DataFrame graph into the logical plan; shared frames stay shared.
 * `fileSchemas` gives the schema of each schemaless read, by path.
 */
export function toPipelinePlan(traced: TracedPipeline, fileSchemas: ReadonlyMap<string, readonly Field[]> = new Map()): PipelinePlan {
  const memo = new Map<FrameNode, LogicalPlan>();
  const plan = (n: FrameNode): LogicalPlan => {
    let p = memo.get(n);
    if (!p) {
      p = convert(n);
      memo.set(n, p);
    }
    return p;
  };
  const convert = (n: FrameNode): LogicalPlan => {
    switch (n.op) {
      case "read": {
        const fields = n.fields ?? fileSchemas.get(n.path);
        if (!fields) {
          throw new TsdfError("TSDF1013", `p.read.${n.format}("${n.path}") declares no schema and tsdf could not read one from the file`, n.loc, [
            "declare the schema, or build with --data-dir pointing at the data so tsdf reads the file's own schema",
          ]);
        }
        return b.scan(n.format, n.path, schemaOf(fields), n.options, n.loc);
      }
      case "filter":
        return b.filter(plan(n.input), exprOf(n.lambda, "filter()"), n.lambda.loc);
      case "withColumn":
        return b.withColumns(plan(n.input), [{ name: n.name, expr: exprOf(n.lambda, "withColumn()"), ...(n.lambda.loc && { loc: n.lambda.loc }) }], n.lambda.loc);
      case "withColumns":
        return b.withColumns(plan(n.input), recordOf(n.lambda, "withColumns()"), n.lambda.loc);
      case "select":
        return b.project(plan(n.input), recordOf(n.lambda, "select()"), n.lambda.loc);
      case "selectNames": {
        const input = plan(n.input);
        for (const name of n.names) if (!findField(input.schema, name)) b.distinct(input, [name]);
        return b.project(input, n.names.map((name) => ({ name, expr: col(name) })));
      }
      case "drop": {
        const input = plan(n.input);
        return b.project(
          input,
          input.schema.fields.filter((f) => !n.names.includes(f.name)).map((f) => ({ name: f.name, expr: col(f.name) })),
        );
      }
      case "rename": {
        const input = plan(n.input);
        if (!findField(input.schema, n.from)) b.distinct(input, [n.from]);
        return b.project(
          input,
          input.schema.fields.map((f) => ({ name: f.name === n.from ? n.to : f.name, expr: col(f.name) })),
        );
      }
      case "agg":
        return b.aggregate(plan(n.input), n.keys, recordOf(n.lambda, "agg()"), n.lambda.loc);
      case "join": {
        const on =
          n.on === null
            ? null
            : Array.isArray(n.on)
              ? { kind: "using" as const, columns: n.on as readonly string[] }
              : { kind: "condition" as const, predicate: exprOf(n.on as Lambda, "join()") };
        return b.join(plan(n.left), plan(n.right), on, n.how, Array.isArray(n.on) || n.on === null ? undefined : (n.on as Lambda).loc);
      }
      case "orderBy":
        return b.sort(plan(n.input), sortKeysOf(n.lambda), n.lambda.loc);
      case "limit":
        return b.limit(plan(n.input), n.n, n.loc);
      case "distinct":
        return b.distinct(plan(n.input), n.columns, n.loc);
      case "union":
        return b.union(plan(n.left), plan(n.right), n.byName, n.loc);
      case "cache": {
        const input = plan(n.input);
        return { kind: "Cache", input, schema: input.schema };
      }
    }
  };
  const sinks: Sink[] = traced.sinks.map((s) => {
    switch (s.kind) {
      case "Write":
        if (s.options.partitionBy) b.distinct(plan(s.frame), s.options.partitionBy, s.loc);
        return { kind: "Write", input: plan(s.frame), format: s.format, path: s.path, options: s.options, ...(s.loc && { loc: s.loc }) };
      case "Show":
        return { kind: "Show", input: plan(s.frame), rows: s.rows, ...(s.title !== undefined && { title: s.title }), ...(s.loc && { loc: s.loc }) };
      case "Output":
        return { kind: "Output", input: plan(s.frame), name: s.name, ...(s.loc && { loc: s.loc }) };
      default:
        return assertNever(s);
    }
  });
  const outputs = sinks.filter((s) => s.kind === "Output").map((s) => (s as { name: string }).name);
  const dup = outputs.find((n, i) => outputs.indexOf(n) !== i);
  if (dup) throw new TsdfError("TSDF1014", `p.output("${dup}") is declared twice`);
  return { name: traced.name, params: traced.params, sinks };
}
