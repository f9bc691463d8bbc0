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
 * rows are collected, then each write runs through Spark's committer (an overwrite staged
 * first, see stagedWrite), then the tables are printed.
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
      if (a.kind !== "Write") continue;
      const write = a.command.write_operation as ProtoMessage;
      if (write.mode !== "SAVE_MODE_OVERWRITE") {
        await guarded(options, a.sink, () => drain(client, { command: a.command }));
        continue;
      }
      const staged = stagedWrite(write);
      await guarded(options, a.sink, () => drain(client, { command: staged.stage }));
      await guarded(options, a.sink, () => drain(client, { command: staged.publish }), `the rows are kept in ${staged.path}`);
      await guarded(options, a.sink, () => drain(client, { command: staged.clear }));
    }
    for (const line of shows) options.out(line);
    return { outputs };
  } finally {
    client.close();
  }
}

/**
 * An overwrite in three Spark jobs, because Spark deletes an overwrite's target before its
 * job runs, so a job that fails (a malformed row under FAILFAST, a lost executor) would leave
 * no output at all. `stage` computes the rows into a hidden sibling of the target (Spark's
 * readers skip names starting with `.`) as Parquet; only when that succeeded does `publish`
 * overwrite the target from the staged files, a plain copy; `clear` then empties the
 * staging folder (Spark Connect has no file deletion).
 */
export function stagedWrite(write: ProtoMessage): { path: string; stage: ProtoMessage; publish: ProtoMessage; clear: ProtoMessage } {
  const target = String(write.path).replace(/\/+$/, "");
  const slash = target.lastIndexOf("/");
  const path = `${target.slice(0, slash + 1)}.${target.slice(slash + 1)}.tsdf-staging`;
  const toStaging = (input: ProtoMessage): ProtoMessage => ({
    write_operation: { input, source: "parquet", path, mode: "SAVE_MODE_OVERWRITE", partitioning_columns: [], options: {} },
  });
  return {
    path,
    stage: toStaging(write.input as ProtoMessage),
    publish: { write_operation: { ...write, input: { read: { data_source: { format: "parquet", paths: [path] } } } } },
    clear: toStaging({ limit: { input: write.input as ProtoMessage, limit: 0 } }),
  };
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

/**
 * Runs one call; a server failure becomes a TsdfError at the sink, or at the read whose path
 * it names. `lost` replaces the note that the previous output is in place, when it is not.
 */
async function guarded<T>(options: SparkRunOptions, sink: Sink | undefined, run: () => Promise<T>, lost?: string): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof SparkCallError)) throw e;
    throw sparkError(e, options, sink, lost);
  }
}

const GRPC_UNAVAILABLE = 14;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_UNAUTHENTICATED = 16;

function sparkError(e: SparkCallError, options: SparkRunOptions, sink: Sink | undefined, lost: string | undefined): TsdfError {
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
  const kept = sink?.kind === "Write" ? [lost ?? `the previous output of ${sink.path} is as it was`] : [];
  return new TsdfError("TSDF7004", `Spark failed ${what}: ${detail}`, loc, [...(scan ? [`while reading ${scan.path}`] : []), ...kept]);
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
