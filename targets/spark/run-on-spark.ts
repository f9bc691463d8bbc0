import * as arrow from "apache-arrow";
import { type SourceLocation, TsdfError } from "../../plan/errors.ts";
import { inputsOf, type LogicalPlan, type PipelinePlan, type Sink } from "../../plan/logical.ts";
import type { Schema } from "../../plan/schema.ts";
import { SparkCallError, SparkConnectClient } from "./client.ts";
import type { ProtoMessage } from "./proto/codec.ts";
import { parseRemote } from "./remote-url.ts";
import { clusterPath, type TranslateOptions, translatePipeline } from "./translate-plan.ts";

type Row = Record<string, unknown>;

export interface SparkRunOptions extends TranslateOptions {
  /** `sc://host:port[/;token=...;use_ssl=...]`. */
  readonly remote: string;
  readonly token?: string;
  /** Where `show()` tables go. */
  readonly out: (line: string) => void;
  /** The runtime's conversion of Arrow batches to row objects (kept there, so values match a local run's). */
  readonly decodeRows: (batches: readonly arrow.RecordBatch[], schema: Schema) => Row[];
  /** The runtime's `show()` table layout. */
  readonly formatShow: (schema: Schema, rows: readonly Row[], n: number, hasMore: boolean) => string[];
}

/**
 * Settings of this run's (isolated) session that make Spark compute tsdf's answers: no ANSI
 * errors (the translation guards every case where JavaScript differs; `to_date` of a bad string is null), UTC dates, and Parquet
 * timestamps as microseconds (Spark's default INT96 is not what tsdf reads).
 */
export const SESSION_CONF: Readonly<Record<string, string>> = {
  "spark.sql.ansi.enabled": "false",
  // An unparsable date is null, never an "upgrade" exception about the legacy parser.
  "spark.sql.legacy.timeParserPolicy": "CORRECTED",
  "spark.sql.session.timeZone": "UTC",
  "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
};

/**
 * Runs every sink of an optimized pipeline on a Spark cluster: the whole plan is translated
 * first (an incompatible construct fails before any data moves), then outputs and `show()`
 * rows are collected, then each write runs as one Spark job through Spark's committer, then
 * the tables are printed.
 */
export async function runOnSpark(plan: PipelinePlan, options: SparkRunOptions): Promise<{ outputs: Record<string, Row[]> }> {
  const actions = translatePipeline(plan, options);
  const target = parseRemote(options.remote, options.token);
  const client = new SparkConnectClient(target);
  try {
    await client.connect();
    await guarded(options, undefined, () => client.config(SESSION_CONF));
    const outputs: Record<string, Row[]> = {};
    const shows: string[] = [];
    for (const a of actions) {
      if (a.kind === "Write") continue;
      const batches = await guarded(options, a.sink, () => collect(client, a.relation));
      const rows = options.decodeRows(batches, a.sink.input.schema);
      if (a.kind === "Output") outputs[a.sink.name] = rows;
      else {
        if (a.sink.title !== undefined) shows.push(a.sink.title);
        shows.push(...options.formatShow(a.sink.input.schema, rows.slice(0, a.sink.rows), a.sink.rows, rows.length > a.sink.rows));
      }
    }
    for (const a of actions) {
      if (a.kind === "Write") await guarded(options, a.sink, () => drain(client, { command: a.command }));
    }
    for (const line of shows) options.out(line);
    return { outputs };
  } finally {
    client.close();
  }
}

async function collect(client: SparkConnectClient, relation: ProtoMessage): Promise<arrow.RecordBatch[]> {
  const batches: arrow.RecordBatch[] = [];
  for await (const r of client.execute({ root: relation })) {
    const batch = r.arrow_batch as { data?: Uint8Array } | undefined;
    if (batch?.data !== undefined && batch.data.length > 0) batches.push(...arrow.tableFromIPC(batch.data).batches);
  }
  return batches;
}

async function drain(client: SparkConnectClient, plan: ProtoMessage): Promise<void> {
  for await (const _ of client.execute(plan));
}

/** Runs one call; a server failure becomes a TsdfError at the sink, or at the read whose path it names. */
async function guarded<T>(options: SparkRunOptions, sink: Sink | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof SparkCallError)) throw e;
    throw sparkError(e, options, sink);
  }
}

const GRPC_UNAVAILABLE = 14;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_UNAUTHENTICATED = 16;

function sparkError(e: SparkCallError, options: SparkRunOptions, sink: Sink | undefined): TsdfError {
  const address = parseRemote(options.remote, options.token).address;
  const detail = e.message.split("\n")[0] ?? e.message;
  if (e.code === GRPC_UNAUTHENTICATED || e.code === GRPC_PERMISSION_DENIED) {
    return new TsdfError("TSDF7003", `the Spark Connect server at ${address} refused this client's credentials: ${detail}`, undefined, [
      "pass the cluster's token with --token (or ;token=... in the sc:// URL)",
    ]);
  }
  if (e.code === GRPC_UNAVAILABLE) return new TsdfError("TSDF7002", `lost the Spark Connect server at ${address}: ${detail}`);
  const scan = sink === undefined ? undefined : scanNamedIn(sink.input, e.message, options);
  const what = sink === undefined ? "setting up the session" : describeSink(sink);
  const loc: SourceLocation | undefined = scan?.loc ?? sink?.loc;
  return new TsdfError("TSDF7004", `Spark failed ${what}: ${detail}`, loc, [
    scan ? `while reading ${scan.path}` : "Spark's committer leaves the previous output of a failed write in place",
  ]);
}

function describeSink(sink: Sink): string {
  switch (sink.kind) {
    case "Write":
      return `writing ${sink.path}`;
    case "Show":
      return `computing show()${sink.title === undefined ? "" : ` "${sink.title}"`}`;
    case "Output":
      return `computing output "${sink.name}"`;
  }
}

/** The read whose file the server's message names (a missing file, a malformed row under FAILFAST). */
function scanNamedIn(p: LogicalPlan, message: string, options: SparkRunOptions): Extract<LogicalPlan, { kind: "Scan" }> | undefined {
  if (p.kind === "Scan") return message.includes(clusterPath(p.path, options.dataDir)) ? p : undefined;
  for (const c of inputsOf(p)) {
    const found = scanNamedIn(c, message, options);
    if (found) return found;
  }
  return undefined;
}
