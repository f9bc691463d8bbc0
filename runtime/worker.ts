/**
 * The piscina task entry: runs one task in a worker thread and moves its output buffers back
 * to the driver (shared or transferred, not copied), or writes one partition of an output.
 */
import { threadId } from "node:worker_threads";
import { Piscina } from "piscina";
import { executeTask, type TaskMessage } from "./exec/task.ts";
import { executeWrite, type WriteMessage } from "./exec/write-task.ts";
import { replyOrFailure, type TaskReply, type WriteReply } from "./executor.ts";
import { transferables } from "./shuffle/blocks.ts";

// A top-level await makes this an async module, which Node's require() refuses, so piscina loads
// it with import(). Loaded through require(esm), a worker terminated while loading (a run that
// fails before every thread is up) aborts the whole process on Node 20 (an assertion in
// ModuleWrap::CreateRequiredModuleFacade).
await Promise.resolve();

export default async function runInWorker(msg: TaskMessage | WriteMessage): Promise<unknown> {
  if ("kind" in msg) return replyOrFailure(async (): Promise<WriteReply> => ({ kind: "written", wrote: await executeWrite(msg) }));
  // A drill: the thread dies in the middle of its task, as on a crash or an out-of-memory kill.
  if (msg.fault === "kill-worker") process.exit(86);
  return replyOrFailure(async () => {
    const result = await executeTask(msg);
    const reply: TaskReply = { kind: "ok", result, thread: threadId };
    return Piscina.move({ [Piscina.transferableSymbol]: transferables(result.buffers), [Piscina.valueSymbol]: reply } as never);
  });
}
