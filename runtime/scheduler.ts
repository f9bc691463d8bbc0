/**
 * The DAG scheduler. A physical plan is cut into stages at its materialized nodes (scans,
 * exchanges, caches, shared sub-plans, broadcast sides, sink roots); a stage runs one task per
 * partition once the stages it reads are done, and independent stages run at the same time.
 * Every partition a task makes is a block in the driver's store, tagged with the thread that
 * made it. A block that is lost (its thread died, it disappeared, it failed its checksum) is
 * recomputed from lineage (the stage and partition that made it, after whatever that needs in
 * turn) when something reads it: exactly the missing partitions, never the whole job.
 */
import type * as arrow from "apache-arrow";
import { TsdfError } from "../plan/errors.ts";
import { type PhysicalPlan, physicalInputs, type RepartitionExec, referenceCounts, type ScanExec } from "../plan/physical.ts";
import { batchesToColumns, execArrowSchema } from "./exec/columns.ts";
import type { KernelContext } from "./exec/kernels.ts";
import { type RangeKey, rangeBounds, sampleRangeKeys } from "./exec/repartition.ts";
import { inputPartitions, type TaskFault, type TaskInput, type TaskMessage, type TaskScan } from "./exec/task.ts";
import { type TaskExecutor, userErrorToTsdf, WorkerLostError } from "./executor.ts";
import type { FaultPlan } from "./faults.ts";
import type { ReadMetrics } from "./io/row-assembler.ts";
import type { ScanSplit } from "./io/scan-splits.ts";
import type { StageMetrics } from "./metrics.ts";
import type { ProgressListener } from "./progress.ts";
import { type Block, type BlockBuffer, BlockLostError, BlockStore, copyForTransfer, decodeBuffer, encodeBatches, encodedBuffer, inThreadBuffer } from "./shuffle/blocks.ts";

/**
 * Where scans read. A file scan is read by the tasks that need it, each its own split; a scan
 * served from memory (tests, embedding) is read by the driver and kept as blocks.
 */
export interface ScanSources {
  readonly dataDir: string;
  /** Whether a scan is served from memory. */
  inMemory(node: ScanExec): boolean;
  /** The batches of each partition of a scan served from memory. */
  readInMemory(node: ScanExec): Promise<arrow.RecordBatch[][]>;
  /** The splits of a file scan, one per partition. */
  splits(node: ScanExec): Promise<ScanSplit[]>;
  /** What a task's read of one partition counted (a partition read again replaces its counts). */
  read(node: ScanExec, partition: number, metrics: ReadMetrics): void;
}

interface Stage {
  readonly id: number;
  /** The materialized node whose partitions this stage's tasks make. */
  readonly node: PhysicalPlan;
  /** What each task evaluates: the node itself, or the input of an exchange or cache. */
  readonly root: PhysicalPlan;
  /** Set for a shuffle map stage: each task splits its rows into this exchange's buckets. */
  readonly exchange?: RepartitionExec;
  readonly tasks: number;
  readonly parents: readonly Stage[];
  readonly metrics: StageMetrics;
  /** Times a task of this stage found an input block lost. */
  fetchFailures: number;
  /** Stages reading this one that have not finished: at 0 its blocks are freed (lineage can remake them). */
  pendingConsumers: number;
  /** The range exchange that reads this stage's blocks: its tasks sample their rows' keys for it. */
  readonly sampleFor?: RepartitionExec;
  /** A range exchange's bounds, picked once per run from its input's samples. */
  bounds?: Promise<RangeKey[]>;
}

/** Sort keys sampled per input partition of a range exchange, per output partition. */
const SAMPLE_ROWS_PER_RANGE = 60;

export interface SchedulerOptions {
  readonly ctx: KernelContext;
  readonly executor: TaskExecutor;
  readonly scans: ScanSources;
  readonly faults: FaultPlan;
  readonly progress: ProgressListener;
  /** Failures of one task before the job fails (Spark's spark.task.maxFailures). */
  readonly maxTaskFailures: number;
  /** Lost-input rounds of one stage before the job fails (Spark's spark.stage.maxConsecutiveAttempts). */
  readonly maxStageAttempts: number;
  readonly signal: AbortSignal;
  /** Distinguishes this run's stages in long-lived workers. */
  readonly runId: string;
}

function stageName(node: PhysicalPlan): string {
  switch (node.kind) {
    case "ScanExec":
      return `ScanExec #${node.id} ${node.path}`;
    case "RepartitionExec":
      return `RepartitionExec #${node.id} ${node.partitioning.kind}`;
    default:
      return `${node.kind} #${node.id}`;
  }
}

/**
 * Nodes whose partitions are kept as blocks: what stages are cut at. A file scan read by one
 * parent is not: its tasks read it, so scan → filter → … → shuffle write is one loop.
 */
function materializedNodes(roots: readonly PhysicalPlan[], sources: ScanSources): Set<PhysicalPlan> {
  const out = new Set<PhysicalPlan>(roots);
  for (const [node, refs] of referenceCounts(roots)) {
    if (refs > 1 || node.kind === "RepartitionExec" || node.kind === "CacheExec") out.add(node);
    // A range exchange picks its bounds from samples of its input, so the input is kept as blocks.
    if (node.kind === "RepartitionExec" && node.partitioning.kind === "range") out.add(node.input);
    if (node.kind === "ScanExec" && sources.inMemory(node)) out.add(node);
    if ((node.kind === "HashJoinExec" || node.kind === "NestedLoopJoinExec") && node.mode === "broadcast") out.add(node.right);
  }
  return out;
}

/** Marks a promise's rejection as handled (whoever awaits it still sees it). */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

export class Scheduler {
  private readonly materialized: Set<PhysicalPlan>;
  private readonly nodes: Map<number, PhysicalPlan>;
  /** Range exchanges by the node they read. */
  private readonly rangeExchanges = new Map<PhysicalPlan, RepartitionExec>();
  private readonly stages = new Map<PhysicalPlan, Stage>();
  private readonly store = new BlockStore();
  private readonly running = new Map<Stage, Promise<void>>();
  private readonly computing = new Map<string, Promise<void>>();
  /** Blocks made at least once: making one again is a recomputation. */
  private readonly made = new Set<string>();
  private readonly splits = new Map<ScanExec, Promise<ScanSplit[]>>();

  constructor(
    private readonly roots: readonly PhysicalPlan[],
    private readonly opts: SchedulerOptions,
  ) {
    this.materialized = materializedNodes(roots, opts.scans);
    this.nodes = new Map([...referenceCounts(roots).keys()].map((n) => [n.id, n]));
    for (const n of this.nodes.values()) if (n.kind === "RepartitionExec" && n.partitioning.kind === "range") this.rangeExchanges.set(n.input, n);
    for (const r of roots) this.stageOf(r);
  }

  /** Every stage's metrics, by stage number. */
  metrics(): StageMetrics[] {
    return [...this.stages.values()].sort((a, b) => a.id - b.id).map((s) => s.metrics);
  }

  private stageOf(node: PhysicalPlan): Stage {
    const known = this.stages.get(node);
    if (known) return known;
    const root = node.kind === "RepartitionExec" || node.kind === "CacheExec" ? node.input : node;
    const parents: Stage[] = [];
    const visit = (p: PhysicalPlan): void => {
      if (p !== node && this.materialized.has(p)) {
        const s = this.stageOf(p);
        if (!parents.includes(s)) parents.push(s);
      } else for (const c of physicalInputs(p)) visit(c);
    };
    if (node.kind !== "ScanExec") visit(root === node ? node : root);
    const id = this.stages.size;
    const tasks = node.kind === "RepartitionExec" ? node.input.partitions : node.partitions;
    const sampleFor = this.rangeExchanges.get(node);
    const stage: Stage = {
      id,
      node,
      root,
      ...(node.kind === "RepartitionExec" && { exchange: node }),
      tasks,
      parents,
      metrics: { stage: id, name: stageName(node), tasks, attempts: 0, failedAttempts: 0, rowsIn: 0, rowsOut: 0, bytesShuffled: 0, timeMs: 0, recomputedPartitions: [] },
      fetchFailures: 0,
      pendingConsumers: 0,
      ...(sampleFor && { sampleFor }),
    };
    for (const parent of parents) parent.pendingConsumers++;
    this.stages.set(node, stage);
    return stage;
  }

  /** All partitions of `root` (a sink's input), computing whatever is missing. */
  collect(root: PhysicalPlan): Promise<arrow.RecordBatch[][]> {
    return this.collectWith(root, (buffers, p) => buffers.flatMap((b) => decodeBuffer(b, root.id, p)));
  }

  /**
   * The block buffers of every partition of `root` (a write sink's input, for its write tasks:
   * copies when tasks run on other threads), computing whatever is missing.
   */
  collectBuffers(root: PhysicalPlan): Promise<BlockBuffer[][]> {
    const transfer = this.opts.executor.transfers;
    return this.collectWith(root, (buffers) => buffers.map((b) => (transfer ? copyForTransfer(b) : b)));
  }

  /** Drops a block found lost outside a task (a write task's input): the next collect recomputes it. */
  dropBlock(nodeId: number, partition: number): void {
    this.store.drop(nodeId, partition);
  }

  private async collectWith<T>(root: PhysicalPlan, take: (buffers: readonly BlockBuffer[], partition: number) => T): Promise<T[]> {
    const stage = this.stageOf(root);
    await this.materialize(stage);
    for (;;) {
      await Promise.all(Array.from({ length: stage.tasks }, (_, p) => this.ensure(stage, p)));
      try {
        return Array.from({ length: stage.tasks }, (_, p) => {
          const block = this.store.get(root.id, p);
          if (!block) throw new BlockLostError(root.id, p, "disappeared");
          return take(block.buffers, p);
        });
      } catch (e) {
        if (!(e instanceof BlockLostError)) throw e;
        this.store.drop(e.nodeId, e.partition);
      }
    }
  }

  /** Runs a stage after the stages it reads; once per run. */
  private materialize(stage: Stage): Promise<void> {
    let p = this.running.get(stage);
    if (!p) {
      p = quiet(this.runStage(stage));
      this.running.set(stage, p);
    }
    return p;
  }

  private async runStage(stage: Stage): Promise<void> {
    await Promise.all(stage.parents.map((s) => this.materialize(s)));
    this.opts.progress.stageSubmitted(stage.id, stage.tasks);
    const start = performance.now();
    const all = Array.from({ length: stage.tasks }, (_, p) => p);
    if (stage.node.kind === "ScanExec" && this.opts.scans.inMemory(stage.node)) await this.scanInMemory(stage, stage.node, all);
    else await Promise.all(all.map((p) => this.ensure(stage, p)));
    stage.metrics.timeMs += performance.now() - start;
    this.opts.progress.stageCompleted(stage.id);
    // Keep memory to what later stages still read; sinks' results stay until they are collected.
    for (const parent of stage.parents) {
      if (--parent.pendingConsumers === 0 && !this.roots.includes(parent.node)) this.store.release(parent.node.id);
    }
  }

  /** Makes sure partition `p` of a stage has its block, computing it if it is missing. */
  private ensure(stage: Stage, p: number): Promise<void> {
    if (this.store.has(stage.node.id, p)) return Promise.resolve();
    const key = `${stage.node.id}:${p}`;
    let pending = this.computing.get(key);
    if (!pending) {
      pending = quiet(this.compute(stage, p).finally(() => this.computing.delete(key)));
      this.computing.set(key, pending);
    }
    return pending;
  }

  private checkCancelled(): void {
    if (this.opts.signal.aborted) throw new TsdfError("TSDF5003", "the run was cancelled; no output was written");
  }

  private async compute(stage: Stage, p: number): Promise<void> {
    const key = `${stage.node.id}:${p}`;
    if (this.made.has(key)) stage.metrics.recomputedPartitions.push(p);
    if (stage.node.kind === "ScanExec" && this.opts.scans.inMemory(stage.node)) return this.scanInMemory(stage, stage.node, [p]);
    let failures = 0;
    let lastError: unknown;
    for (;;) {
      this.checkCancelled();
      const needs = await this.inputsOf(stage, p);
      if (needs === undefined) continue;
      const bounds = stage.exchange?.partitioning.kind === "range" ? await this.boundsOf(stage, stage.exchange) : undefined;
      const attempt = stage.metrics.attempts++;
      const { faults } = this.opts;
      const fault: TaskFault | undefined = faults.take("kill-worker", stage.id, p) ? "kill-worker" : faults.take("fail-task", stage.id, p) ? "fail-task" : undefined;
      const msg: TaskMessage = {
        stageKey: `${this.opts.runId}:${stage.id}`,
        stage: stage.id,
        partition: p,
        attempt,
        root: stage.root,
        ...(stage.exchange && { exchange: stage.exchange }),
        ...(bounds && { bounds }),
        ...(stage.sampleFor && { sample: { exchange: stage.sampleFor, rows: SAMPLE_ROWS_PER_RANGE * stage.sampleFor.partitions } }),
        inputs: needs.inputs,
        scans: needs.scans,
        dataDir: this.opts.scans.dataDir,
        ctx: this.opts.ctx,
        ...(fault && { fault }),
      };
      this.opts.progress.taskStarted(stage.id);
      let reply: Awaited<ReturnType<TaskExecutor["run"]>>;
      try {
        reply = await this.opts.executor.run(msg, this.opts.signal);
      } catch (e) {
        this.opts.progress.taskEnded(stage.id, false);
        this.checkCancelled();
        stage.metrics.failedAttempts++;
        // A dead thread takes the blocks it made with it.
        if (e instanceof WorkerLostError) this.store.dropOrphans(this.opts.executor.alive());
        lastError = e;
        if (++failures >= this.opts.maxTaskFailures) throw this.taskFailed(stage, p, failures, lastError);
        continue;
      }
      switch (reply.kind) {
        case "ok":
          this.opts.progress.taskEnded(stage.id, true);
          this.store.put({ nodeId: stage.node.id, partition: p, buffers: reply.result.buffers, owner: reply.thread, ...(reply.result.samples && { samples: reply.result.samples }) });
          this.made.add(key);
          stage.metrics.rowsIn += reply.result.rowsIn;
          for (const r of reply.result.reads) this.opts.scans.read(this.scanNode(r.nodeId), r.partition, r.metrics);
          stage.metrics.rowsOut += reply.result.rowsOut;
          if (stage.exchange) stage.metrics.bytesShuffled += reply.result.buffers.reduce((n, b) => n + b.bytes.byteLength, 0);
          this.injectBlockFaults(stage, p);
          return;
        case "lost":
          this.opts.progress.taskEnded(stage.id, false);
          stage.metrics.failedAttempts++;
          // The copy this task read: another task may have found it lost first, and it may be made again by now.
          this.store.drop(reply.nodeId, reply.partition, needs.read.find((b) => b.nodeId === reply.nodeId && b.partition === reply.partition));
          if (++stage.fetchFailures > this.opts.maxStageAttempts) {
            throw new TsdfError("TSDF5002", `stage ${stage.id} (${stage.metrics.name}) lost its input blocks ${stage.fetchFailures} times (last: ${reply.message}); giving up, no output was written`);
          }
          continue;
        case "user-error":
          this.opts.progress.taskEnded(stage.id, false);
          throw userErrorToTsdf(reply.error);
      }
    }
  }

  /**
   * A range exchange's bounds, from the samples its input's tasks took (once per run, so a map
   * partition computed again splits its rows exactly as before).
   */
  private boundsOf(stage: Stage, exchange: RepartitionExec): Promise<RangeKey[]> {
    stage.bounds ??= quiet(
      (async () => {
        const input = this.stageOf(exchange.input);
        const samples: RangeKey[] = [];
        for (let m = 0; m < input.tasks; m++) {
          let block: Block | undefined;
          while (!block) {
            await this.ensure(input, m);
            block = this.store.get(input.node.id, m);
          }
          samples.push(...(block.samples ?? this.sampleInDriver(block, exchange)));
        }
        if (exchange.partitioning.kind !== "range") throw new Error(`internal: #${exchange.id} is not a range exchange`);
        return rangeBounds(samples, exchange.partitioning.keys, exchange.partitioning.count);
      })(),
    );
    return stage.bounds;
  }

  /** Samples a block no task sampled (a scan served from memory). */
  private sampleInDriver(block: Block, exchange: RepartitionExec): RangeKey[] {
    const schema = exchange.input.schema;
    const batches = block.buffers.flatMap((b) => decodeBuffer(b, block.nodeId, block.partition));
    const columns = batchesToColumns(batches, schema);
    return sampleRangeKeys(exchange, columns, this.opts.ctx, SAMPLE_ROWS_PER_RANGE * exchange.partitions);
  }

  private taskFailed(stage: Stage, p: number, failures: number, e: unknown): TsdfError {
    const why = e instanceof Error ? e.message : String(e);
    return new TsdfError("TSDF5001", `task ${p} of stage ${stage.id} (${stage.metrics.name}) failed ${failures} times; last error: ${why}`, undefined, [
      "no output was written",
      `a task is tried up to --max-task-failures times (now ${this.opts.maxTaskFailures})`,
    ]);
  }

  private scanNode(id: number): ScanExec {
    const node = this.nodes.get(id);
    if (node?.kind !== "ScanExec") throw new Error(`internal: no scan #${id}`);
    return node;
  }

  /** The splits of a file scan, planned once per run. */
  private splitsOf(node: ScanExec): Promise<ScanSplit[]> {
    let splits = this.splits.get(node);
    if (!splits) {
      splits = quiet(this.opts.scans.splits(node));
      this.splits.set(node, splits);
    }
    return splits;
  }

  /**
   * The blocks a task reads, copied for transfer when tasks run on other threads, and the scan
   * splits it reads itself; undefined when some blocks were missing (they have been recomputed
   * since, from lineage: look again).
   */
  private async inputsOf(stage: Stage, p: number): Promise<{ inputs: TaskInput[]; scans: TaskScan[]; read: Block[] } | undefined> {
    const needs = inputPartitions(stage.root, p, (n) => n !== stage.node && this.materialized.has(n));
    const missing: Promise<void>[] = [];
    const inputs: TaskInput[] = [];
    const scans: TaskScan[] = [];
    const read: Block[] = [];
    const transfer = this.opts.executor.transfers;
    for (const [node, partitions] of needs) {
      if (node.kind === "ScanExec" && (node === stage.node || !this.materialized.has(node))) {
        const splits = await this.splitsOf(node);
        for (const q of partitions) {
          const split = splits[q];
          if (!split) throw new Error(`internal: scan #${node.id} has no split ${q}`);
          scans.push({ nodeId: node.id, partition: q, split });
        }
        continue;
      }
      const parent = this.stageOf(node);
      for (const q of partitions) {
        // An exchange's partition q is bucket q of every map output; any other node's is its block q.
        const blocks = node.kind === "RepartitionExec" ? Array.from({ length: parent.tasks }, (_, m) => [m, q] as const) : [[q, 0] as const];
        const parts: { from: number; buffer: BlockBuffer }[] = [];
        for (const [from, bucket] of blocks) {
          const block = this.store.get(node.id, from);
          if (!block) {
            missing.push(this.ensure(parent, from));
            continue;
          }
          const buffer = block.buffers[bucket];
          if (!buffer) throw new Error(`internal: block ${node.id}:${from} has no bucket ${bucket}`);
          read.push(block);
          parts.push({ from, buffer: transfer ? copyForTransfer(buffer) : buffer });
        }
        inputs.push({ nodeId: node.id, partition: q, parts });
      }
    }
    if (missing.length === 0) return { inputs, scans, read };
    await Promise.all(missing);
    return undefined;
  }

  /** `lose-block` and `corrupt-block` drills, right after a block is made. */
  private injectBlockFaults(stage: Stage, p: number): void {
    const { faults } = this.opts;
    if (faults.take("lose-block", stage.id, p)) this.store.drop(stage.node.id, p);
    else if (faults.take("corrupt-block", stage.id, p)) {
      const block = this.store.get(stage.node.id, p) as Block;
      const buffers = block.buffers.map((b) => {
        const encoded = encodedBuffer(b);
        const bytes = encoded.bytes.slice();
        bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] as number) ^ 0xff;
        return { ...encoded, bytes };
      });
      this.store.put({ ...block, buffers });
    }
  }

  /** Keeps partitions of a scan served from memory as blocks owned by the driver, so no thread's death loses them. */
  private async scanInMemory(stage: Stage, node: ScanExec, partitions: readonly number[]): Promise<void> {
    this.checkCancelled();
    const start = performance.now();
    const batches = await this.opts.scans.readInMemory(node);
    const schema = execArrowSchema(node.schema);
    stage.metrics.attempts++;
    for (const p of partitions) {
      const slices = batches[p];
      if (!slices) throw new Error(`internal: scan #${node.id} gave no partition ${p}`);
      // Tasks in this thread read the table's own batches; other threads get an IPC copy.
      const buffer = this.opts.executor.transfers ? encodeBatches(slices[0]?.schema ?? schema, slices) : inThreadBuffer(slices[0]?.schema ?? schema, slices);
      this.store.put({ nodeId: node.id, partition: p, buffers: [buffer], owner: 0 });
      this.made.add(`${node.id}:${p}`);
      stage.metrics.rowsOut += buffer.rows;
      this.injectBlockFaults(stage, p);
    }
    stage.metrics.timeMs += performance.now() - start;
  }
}
