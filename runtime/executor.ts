/**
 * Where tasks run: a piscina pool of worker threads (the default), or the driver's own thread
 * (`workers: 0`, for embedding and fast tests). Both run the same `executeTask` on the same
 * messages, so a plan behaves identically in either.
 */
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { Piscina } from "piscina";
import { isTsdfError, type SourceLocation, TsdfError } from "../plan/errors.ts";
import { executeTask, type TaskMessage, type TaskResult } from "./exec/task.ts";
import { executeWrite, type WriteMessage } from "./exec/write-task.ts";
import { BlockLostError, type BlockBuffer, transferables } from "./shuffle/blocks.ts";

/** A TsdfError as plain data, to cross a thread boundary. */
export interface UserError {
  readonly code: string;
  readonly message: string;
  readonly location?: SourceLocation;
  readonly notes: readonly string[];
}

/**
 * What a task sends back. Errors the driver must tell apart (a lost input block, a user's
 * data error) are values, since an Error crossing threads keeps only its message.
 */
export type TaskReply =
  | { readonly kind: "ok"; readonly result: TaskResult; readonly thread: number }
  | { readonly kind: "lost"; readonly nodeId: number; readonly partition: number; readonly message: string }
  | { readonly kind: "user-error"; readonly error: UserError };

/** A task's failure the driver tells apart, as a reply. */
type FailureReply = Exclude<TaskReply, { kind: "ok" }>;

/** The reply for an error a task raised, or undefined for an unexpected one (rethrown). */
function failureReply(e: unknown): FailureReply | undefined {
  if (e instanceof BlockLostError) return { kind: "lost", nodeId: e.nodeId, partition: e.partition, message: e.message };
  if (isTsdfError(e)) {
    const error: UserError = { code: e.code, message: e.message, notes: e.notes, ...(e.location && { location: e.location }) };
    return { kind: "user-error", error };
  }
  return undefined;
}

/** What `work` resolves to, or the failure reply for the error it raised (an unexpected one is rethrown). */
export async function replyOrFailure<T>(work: () => Promise<T>): Promise<T | FailureReply> {
  try {
    return await work();
  } catch (e) {
    const reply = failureReply(e);
    if (reply) return reply;
    throw e;
  }
}

export function userErrorToTsdf(e: UserError): TsdfError {
  return new TsdfError(e.code, e.message, e.location, e.notes);
}

/** The thread running a task died (exit, crash, out of memory, terminate): the blocks it held are gone. */
export class WorkerLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorkerLostError";
  }
}

/** What a write task sends back: whether it wrote a file, or (as a task's) a failure. */
export type WriteReply = { readonly kind: "written"; readonly wrote: boolean } | FailureReply;

export interface TaskExecutor {
  /** How many tasks run at once. */
  readonly threads: number;
  /** Whether task inputs move to another thread (so the store sends copies and keeps its own). */
  readonly transfers: boolean;
  run(msg: TaskMessage, signal: AbortSignal): Promise<TaskReply>;
  /** Writes one partition of an output (a WriteMessage's buffers are sent, not kept). */
  write(msg: WriteMessage, signal: AbortSignal): Promise<WriteReply>;
  /** Threads alive now: a block made by any other thread is lost. */
  alive(): ReadonlySet<number>;
}

/** Runs tasks one at a time in the driver's thread; blocks it makes are owned by the driver (thread 0). */
export const inlineExecutor: TaskExecutor = {
  threads: 1,
  transfers: false,
  async run(msg) {
    if (msg.fault === "kill-worker") throw new WorkerLostError("kill-worker needs worker threads (workers ≥ 1)");
    return replyOrFailure(async (): Promise<TaskReply> => ({ kind: "ok", result: await executeTask(msg), thread: 0 }));
  },
  write: (msg) => replyOrFailure(async (): Promise<WriteReply> => ({ kind: "written", wrote: await executeWrite(msg) })),
  alive: () => new Set([0]),
};

const pools = new Map<string, Piscina>();

/**
 * For a process whose `workers` threads take every CPU: V8 collects garbage and optimizes code
 * on the thread that needs it rather than on helper threads, which would then take cores from
 * the tasks (groupby q3 over 1e7 CSV rows on 2 CPUs and 2 workers: 3.43–3.61 s with helpers,
 * 3.20–3.36 s without). Set before the process's first pool starts, as its isolates read it when
 * they are created; only by a bundle's own process (its `main`), as it changes the whole process.
 */
export function keepV8OnTaskThreads(workers: number): void {
  if (workers >= availableParallelism()) setFlagsFromString("--single-threaded");
}

/**
 * A pool of `threads` worker threads running `workerFile`, shared by the runs of this process
 * (starting threads costs more than a small job). Idle threads do not keep the process alive.
 */
export function poolExecutor(workerFile: URL, threads: number): TaskExecutor {
  const filename = fileURLToPath(workerFile);
  const key = `${filename}#${threads}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new Piscina({ filename, minThreads: threads, maxThreads: threads, idleTimeout: 30_000, concurrentTasksPerWorker: 1 });
    // A dead worker's pending task is rejected; the pool replaces the thread. Nothing else to do here.
    pool.on("error", () => {});
    pools.set(key, pool);
  }
  const p = pool;
  /** The worker's reply to `msg`, its buffers sent along; WorkerLostError when the thread died. */
  const send = async (msg: TaskMessage | WriteMessage, buffers: readonly BlockBuffer[], signal: AbortSignal): Promise<unknown> => {
    try {
      return await p.run(msg, { transferList: transferables(buffers), signal });
    } catch (e) {
      if (e instanceof Error && /worker exited|terminated/i.test(e.message)) throw new WorkerLostError(e.message);
      throw e;
    }
  };
  return {
    threads,
    transfers: true,
    run: async (msg, signal) => (await send(msg, msg.inputs.flatMap((i) => i.parts.map((part) => part.buffer)), signal)) as TaskReply,
    write: async (msg, signal) => (await send(msg, msg.buffers, signal)) as WriteReply,
    alive: () => new Set(p.threads.map((t) => t.threadId).filter((id) => id > 0)),
  };
}

/** Stops every pool's threads (the CLI calls this before exiting). */
export async function closePools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.destroy()));
}
