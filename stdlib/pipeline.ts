import { TsdfError } from "../plan/errors.ts";
import type { ParamSpec, ReadOptions } from "../plan/logical.ts";
import type { DataType } from "../plan/schema.ts";
import { DataFrame, type SinkCollector } from "./frame.ts";
import { callSite } from "./lambda.ts";
import type { FrameSink } from "./frame-node.ts";
import { paramHandle } from "./param.ts";
import { fieldsOf, type SchemaLike } from "./schema.ts";
import type { Row } from "./values.ts";

/** CSV read options; `mode` is Spark's parse mode for malformed rows. */
export interface CsvOptions extends ReadOptions {}

/** A zod schema as `p.param` needs it: something with an output type and `safeParse`. */
export interface ParamSchema<T> {
  readonly _output: T;
  safeParse(v: unknown): { success: boolean; data?: unknown; error?: { message: string } };
}

/** The object a pipeline's body receives: sources, parameters and outputs. */
export interface PipelineBuilder {
  readonly read: {
    /** @example p.read.csv("input/sales.csv", Sales, { header: true, mode: "FAILFAST" }) */
    csv<R extends Row>(path: string, schema: SchemaLike<R>, options?: CsvOptions): DataFrame<R>;
    /**
     * Parquet with a declared schema, or without one: then `tsdf build --data-dir D` reads the
     * file's own schema at build time, and the rows are typed loosely (`Row`).
     * @example p.read.parquet("input/sales.parquet", Sales)
     */
    parquet<R extends Row>(path: string, schema: SchemaLike<R>): DataFrame<R>;
    parquet(path: string): DataFrame<Row>;
    /** Arrow IPC, file or stream format. @example p.read.arrow("input/sales.arrow", Sales) */
    arrow<R extends Row>(path: string, schema: SchemaLike<R>): DataFrame<R>;
    /** JSON lines, one object per line. @example p.read.json("input/events.jsonl", Events) */
    json<R extends Row>(path: string, schema: SchemaLike<R>, options?: Pick<ReadOptions, "mode">): DataFrame<R>;
  };
  /**
   * A typed run parameter, given as `--param name=value`. Capture it in lambdas like a constant.
   * @example const minAmount = p.param("min_amount", z.number().default(100));
   */
  param<T extends string | number | boolean>(name: string, schema: ParamSchema<T>): T;
  /** Returns this DataFrame's rows to a program that runs the bundle as a library. */
  output<R extends Row>(name: string, df: DataFrame<R>): void;
}

/** A pipeline module's default export. */
export interface Pipeline {
  readonly kind: "tsdf.pipeline";
  readonly name: string;
  readonly define: (p: PipelineBuilder) => void;
}

/**
 * Declares a pipeline: the module's default export.
 * @example export default pipeline("sales_etl", (p) => { p.read.csv(...).show(); });
 */
export function pipeline(name: string, define: (p: PipelineBuilder) => void): Pipeline {
  if (!/^[A-Za-z_][\w-]*$/.test(name)) throw new TsdfError("TSDF1011", `pipeline name '${name}' must be a plain identifier (letters, digits, _ and -)`);
  return { kind: "tsdf.pipeline", name, define };
}

export function isPipeline(v: unknown): v is Pipeline {
  return typeof v === "object" && v !== null && (v as Pipeline).kind === "tsdf.pipeline";
}

/** A pipeline's DataFrame graph and sinks, as its body built them. */
export interface TracedPipeline {
  readonly name: string;
  readonly params: readonly ParamSpec[];
  readonly sinks: readonly FrameSink[];
}

interface ZodDef {
  type: string;
  innerType?: { _zod: { def: ZodDef } };
  defaultValue?: unknown;
  format?: string;
  checks?: readonly { _zod: { def: { format?: string } } }[];
}

function paramSpec(name: string, schema: ParamSchema<unknown>): ParamSpec {
  let def: ZodDef | undefined = (schema as unknown as { _zod?: { def: ZodDef } })._zod?.def;
  let optional = false;
  let dflt: unknown;
  while (def && (def.type === "default" || def.type === "optional")) {
    optional = true;
    if (def.type === "default") dflt = typeof def.defaultValue === "function" ? (def.defaultValue as () => unknown)() : def.defaultValue;
    def = def.innerType?._zod.def;
  }
  const format = def?.format ?? def?.checks?.find((c) => c._zod.def.format)?._zod.def.format;
  const types: Record<string, DataType> = { string: "utf8", number: format === "int32" || format === "safeint" ? "int32" : "float64", boolean: "boolean" };
  const type = def ? types[def.type] : undefined;
  if (!type) throw new TsdfError("TSDF1012", `p.param("${name}") needs a zod string, number or boolean schema`);
  return { name, type, optional, ...(dflt !== undefined && { default: dflt as string | number | boolean }) };
}

/**
 * Runs a pipeline's body to collect its DataFrame graph. No data is read. With `params`,
 * `p.param` returns those values (the reference evaluator); without, symbolic handles.
 */
export function tracePipeline(p: Pipeline, params?: Readonly<Record<string, unknown>>): TracedPipeline {
  const sinks: FrameSink[] = [];
  const specs: ParamSpec[] = [];
  const collector: SinkCollector = { addSink: (s) => sinks.push(s) };
  const read = (format: "csv" | "parquet" | "json" | "arrow", path: string, schema: SchemaLike<Row> | undefined, options: ReadOptions = {}) =>
    new DataFrame({ op: "read", format, path, fields: schema ? fieldsOf(schema) : null, options, ...callSite() }, collector);
  const builder: PipelineBuilder = {
    read: {
      csv: (path, schema, options) => read("csv", path, schema, options) as never,
      parquet: (path: string, schema?: SchemaLike<Row>) => read("parquet", path, schema) as never,
      arrow: (path, schema) => read("arrow", path, schema) as never,
      json: (path, schema, options) => read("json", path, schema, options) as never,
    },
    param: (name, schema) => {
      const spec = paramSpec(name, schema);
      specs.push(spec);
      if (!params) return paramHandle(name, spec.type) as never;
      const raw = params[name] ?? spec.default;
      const parsed = schema.safeParse(raw);
      if (!parsed.success) throw new TsdfError("TSDF4002", `parameter '${name}': ${parsed.error?.message ?? "invalid value"}`);
      return parsed.data as never;
    },
    output: (name, df) => {
      sinks.push({ kind: "Output", frame: df.node, name, ...callSite() });
    },
  };
  p.define(builder);
  return { name: p.name, params: specs, sinks };
}
