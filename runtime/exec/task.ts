import type * as arrow from "apache-arrow";
import { assertNever } from "../../plan/expr.ts";
import { type FilterExec, type PhysicalPlan, type ProjectionExec, physicalInputs, type RepartitionExec, type ScanExec, type UnionExec } from "../../plan/physical.ts";
import type { Schema } from "../../plan/schema.ts";
import type { ReadMetrics } from "../io/row-assembler.ts";
import { readScanSplit, type ScanSplit } from "../io/scan-splits.ts";
import { type BlockBuffer, decodeBuffer, encodeBatches } from "../shuffle/blocks.ts";
import { batchesToColumns, type ColumnBatch, type ColumnUse, columnsToBatch, concatColumns, execArrowSchema, sliceRows, takeRows } from "./columns.ts";
import { distinctBatch } from "./distinct.ts";
import { aggregateReads, HashAggregation, inputUses } from "./hash-aggregate.ts";
import { HashJoin } from "./hash-join.ts";
import { joinInputReads, probeKeyUses } from "./join-output.ts";
import { type BatchKernel, type ColumnSet, columnsRead, compileKernel, type KernelContext, unionColumns } from "./kernels.ts";
import { nestedLoopJoin } from "./nested-loop-join.ts";
import { partitionBatch, type RangeKey, sampleRangeKeys } from "./repartition.ts";
import { sortBatch } from "./sort.ts";
import { Utf8Decoder } from "./utf8-dictionary.ts";
import { releaseIdleHeap } from "./wasm/heap.ts";

/** One partition of a materialized node: its batches in order. */
export type Partition = readonly arrow.RecordBatch[];

/** What a task reads of materialized nodes and scans, by node id and partition number: batches in order. */
/** Per node and partition, its batches: decoded blocks, or a scan split read as it is iterated. */
type TaskInputs = ReadonlyMap<number, ReadonlyMap<number, Iterable<arrow.RecordBatch>>>;

/** Partition `p` of a union is partition `q` of one of its inputs: theirs, in input order. */
function unionInput(node: UnionExec, p: number): [PhysicalPlan, number] {
  let q = p;
  for (const input of node.inputs) {
    if (q < input.partitions) return [input, q];
    q -= input.partitions;
  }
  throw new Error(`internal: union #${node.id} has no partition ${p}`);
}

/** One block of batches; an empty block still holds one (empty) batch of the schema. */
function encodeColumnBatches(schema: Schema, batches: readonly ColumnBatch[]): BlockBuffer {
  const some = batches.length > 0 ? batches : [{ length: 0, columns: schema.fields.map(() => []) }];
  return encodeBatches(execArrowSchema(schema), some.map((b) => columnsToBatch(b, schema)));
}

const filterKernels = new WeakMap<FilterExec, BatchKernel>();
const projectKernels = new WeakMap<ProjectionExec, BatchKernel[]>();

function filterBatch(node: FilterExec, input: ColumnBatch, ctx: KernelContext): ColumnBatch {
  let k = filterKernels.get(node);
  if (!k) {
    k = compileKernel(node.predicate, node.input.schema, true);
    filterKernels.set(node, k);
  }
  const keep = k(input, ctx);
  const rows: number[] = [];
  for (let i = 0; i < input.length; i++) if (keep[i]) rows.push(i);
  return rows.length === input.length ? input : takeRows(input, rows);
}

function projectBatch(node: ProjectionExec, input: ColumnBatch, ctx: KernelContext): ColumnBatch {
  let ks = projectKernels.get(node);
  if (!ks) {
    ks = node.exprs.map((e) => compileKernel(e.expr, node.input.schema));
    projectKernels.set(node, ks);
  }
  return { length: input.length, columns: ks.map((k) => k(input, ctx)) };
}


/**
 * Per input of a stage (a materialized node or a scan, by id), the columns the stage's operators
 * read from it; a task decodes only those (a cached table of many columns that one aggregate
 * reads two of). Per hash join and aggregate of the stage, the columns of its output read above
 * it; it makes only those. Filters, projections, limits, unions, aggregates and hash joins say
 * what they read; other joins, sorts, distinct and the stage's output read every column.
 */
export function readColumns(root: PhysicalPlan, isInput: (id: number) => boolean): Map<number, ColumnSet> {
  const out = new Map<number, ColumnSet>();
  const read = (node: PhysicalPlan, cols: ColumnSet): void => {
    const input = isInput(node.id);
    if (input || node.kind === "HashJoinExec" || node.kind === "HashAggregateExec") {
      out.set(node.id, out.has(node.id) ? unionColumns(out.get(node.id) ?? null, cols) : cols);
    }
    if (input) return;
    switch (node.kind) {
      case "HashJoinExec": {
        const [left, right] = joinInputReads(node, cols);
        read(node.left, left);
        read(node.right, right);
        return;
      }
      case "FilterExec":
        read(node.input, unionColumns(cols, columnsRead(node.input.schema, [node.predicate])));
        return;
      case "ProjectionExec":
        // Every expression is evaluated, whichever of its outputs are read.
        read(node.input, columnsRead(node.input.schema, node.exprs.map((e) => e.expr)));
        return;
      case "HashAggregateExec":
        read(node.input, aggregateReads(node));
        return;
      case "LocalLimitExec":
      case "GlobalLimitExec":
        read(node.input, cols);
        return;
      case "UnionExec":
        for (const input of node.inputs) read(input, cols);
        return;
      default:
        for (const input of physicalInputs(node)) read(input, null);
    }
  };
  read(root, null);
  return out;
}

/**
 * Evaluates a stage's operators for one partition, pulling partitions of materialized nodes
 * and scans from `inputs` (a node found there is never computed again). Operators that need no
 * other rows (filter, projection, limit, union, a hash join's probe side) run batch by batch as
 * a pipeline, feeding an aggregate, an exchange or the output with nothing materialized between
 * them; the others (a hash join's build side, nested-loop joins, sort, distinct) take their
 * inputs whole.
 */
class TaskRunner {
  constructor(
    private readonly inputs: TaskInputs,
    private readonly ctx: KernelContext,
    /** Per input, the columns to decode; per hash join and aggregate, the output columns to make (see readColumns); all when absent or null. */
    private readonly reads: ReadonlyMap<number, ColumnSet>,
  ) {}

  /** All partitions of a node, concatenated in partition order (a broadcast side). */
  whole(node: PhysicalPlan): ColumnBatch {
    const all = Array.from({ length: node.partitions }, (_, p) => this.eval(node, p));
    return concatColumns(all, node.schema.fields.length);
  }

  /** Partition `p` of `node`, whole. */
  eval(node: PhysicalPlan, p: number): ColumnBatch {
    const ctx = this.ctx;
    if (!this.inputs.has(node.id)) {
      switch (node.kind) {
        case "NestedLoopJoinExec":
          return nestedLoopJoin(node, this.eval(node.left, p), node.mode === "broadcast" ? this.whole(node.right) : this.eval(node.right, p), ctx);
        case "SortExec":
          return sortBatch(node, this.eval(node.input, p), ctx);
        case "DistinctExec":
          return distinctBatch(node, this.eval(node.input, p));
        default:
          break;
      }
    }
    const batches: ColumnBatch[] = [];
    this.stream(node, p, (b) => batches.push(b));
    return concatColumns(batches, node.schema.fields.length);
  }

  /**
   * Partition `p` of `node`, batch by batch, to `emit` (a filter emits no empty batches). The
   * columns in `uses` come made for that use (an aggregate reading them only as keys or only to
   * fold them, a hash join only probing with them) when `node` is an input or a hash join.
   */
  stream(node: PhysicalPlan, p: number, emit: (batch: ColumnBatch) => void, uses?: ReadonlyMap<number, ColumnUse>): void {
    const parts = this.inputs.get(node.id);
    if (parts) {
      const batches = parts.get(p);
      if (!batches) throw new Error(`internal: partition ${p} of node #${node.id} is not among the task's inputs`);
      // Decoded one at a time, a batch's JS values live only while it passes through; a utf8
      // column keeps one dictionary across the batches, so a value repeated in many batches
      // is one string with one code.
      const utf8 = node.schema.fields.map((f) => (f.type === "utf8" ? new Utf8Decoder() : undefined));
      const read = this.reads.get(node.id) ?? undefined;
      for (const b of batches) emit(batchesToColumns([b], node.schema, utf8, uses, read));
      for (const d of utf8) d?.free();
      return;
    }
    const ctx = this.ctx;
    switch (node.kind) {
      case "ScanExec":
      case "RepartitionExec":
      case "CacheExec":
        throw new Error(`internal: ${node.kind} #${node.id} must be materialized before a task reads it`);
      case "FilterExec":
        this.stream(node.input, p, (b) => {
          const kept = filterBatch(node, b, ctx);
          if (kept.length > 0) emit(kept);
        });
        return;
      case "ProjectionExec":
        this.stream(node.input, p, (b) => emit(projectBatch(node, b, ctx)));
        return;
      case "HashAggregateExec": {
        const aggregation = new HashAggregation(node, ctx, this.reads.get(node.id) ?? null);
        this.stream(node.input, p, (b) => aggregation.add(b), inputUses(node));
        emit(aggregation.finish());
        return;
      }
      case "LocalLimitExec":
      case "GlobalLimitExec": {
        let left = node.fetch;
        this.stream(node.input, p, (b) => {
          if (left <= 0) return;
          const take = Math.min(left, b.length);
          left -= take;
          emit(take === b.length ? b : sliceRows(b, 0, take));
        });
        return;
      }
      case "UnionExec":
        this.stream(...unionInput(node, p), emit);
        return;
      case "HashJoinExec": {
        const outputs = this.reads.get(node.id) ?? null;
        const join = new HashJoin(node, node.mode === "broadcast" ? this.whole(node.right) : this.eval(node.right, p), { outputs, ...(uses && { uses }) });
        this.stream(
          node.left,
          p,
          (b) => {
            const out = join.probe(b);
            if (out.length > 0) emit(out);
          },
          probeKeyUses(node, outputs),
        );
        const rest = join.unmatchedRight();
        join.free();
        if (rest !== undefined && rest.length > 0) emit(rest);
        return;
      }
      case "NestedLoopJoinExec":
      case "SortExec":
      case "DistinctExec":
        emit(this.eval(node, p));
        return;
      default:
        assertNever(node);
    }
  }
}

/**
 * The partitions of materialized nodes and of scans that computing partition `p` of `root`
 * reads: the walk of TaskRunner.eval, stopping at materialized nodes. A broadcast side is read whole.
 */
export function inputPartitions(root: PhysicalPlan, p: number, isMaterialized: (node: PhysicalPlan) => boolean): Map<PhysicalPlan, Set<number>> {
  const out = new Map<PhysicalPlan, Set<number>>();
  const need = (node: PhysicalPlan, q: number): void => {
    if (isMaterialized(node) || node.kind === "ScanExec") {
      out.set(node, (out.get(node) ?? new Set<number>()).add(q));
      return;
    }
    switch (node.kind) {
      case "RepartitionExec":
      case "CacheExec":
        throw new Error(`internal: ${node.kind} #${node.id} must be materialized before a task reads it`);
      case "HashJoinExec":
      case "NestedLoopJoinExec":
        need(node.left, q);
        if (node.mode === "broadcast") for (let r = 0; r < node.right.partitions; r++) need(node.right, r);
        else need(node.right, q);
        return;
      case "UnionExec":
        need(...unionInput(node, q));
        return;
      case "FilterExec":
      case "ProjectionExec":
      case "HashAggregateExec":
      case "SortExec":
      case "LocalLimitExec":
      case "GlobalLimitExec":
      case "DistinctExec":
        need(node.input, q);
        return;
      default:
        assertNever(node);
    }
  };
  need(root, p);
  return out;
}

/** Partition `partition` of node `nodeId` as a task receives it: one buffer per block it is made of. */
export interface TaskInput {
  readonly nodeId: number;
  readonly partition: number;
  /** `from`: the block's partition (for an exchange, the map partition whose bucket this is). */
  readonly parts: readonly { readonly from: number; readonly buffer: BlockBuffer }[];
}

/** A fault the driver asks this attempt of a task to act out (`TSDF_FAULTS`). */
export type TaskFault = "fail-task" | "kill-worker";

/** Everything one task needs, structured-clonable, with its input bytes transferred. */
export interface TaskMessage {
  /** Names `root` within one run: a worker keeps the first copy it gets, so kernels compile once. */
  readonly stageKey: string;
  readonly stage: number;
  readonly partition: number;
  readonly attempt: number;
  readonly root: PhysicalPlan;
  /** When set, the task's rows are split into this exchange's buckets (a shuffle map task). */
  readonly exchange?: RepartitionExec;
  /** A range exchange's bounds, picked from its input's samples. */
  readonly bounds?: readonly RangeKey[];
  /** When set, the task also samples its rows' keys for this range exchange (which reads them next). */
  readonly sample?: { readonly exchange: RepartitionExec; readonly rows: number };
  readonly inputs: readonly TaskInput[];
  /** Scan partitions the task reads itself, from files under `dataDir`. */
  readonly scans: readonly TaskScan[];
  readonly dataDir: string;
  readonly ctx: KernelContext;
  readonly fault?: TaskFault;
}

/** Partition `partition` of scan `nodeId`, read by the task from its split. */
export interface TaskScan {
  readonly nodeId: number;
  readonly partition: number;
  readonly split: ScanSplit;
}

export interface TaskResult {
  /** One buffer, or one per bucket of the exchange. */
  readonly buffers: readonly BlockBuffer[];
  readonly rowsIn: number;
  readonly rowsOut: number;
  /** The sort keys sampled for a range exchange (`TaskMessage.sample`). */
  readonly samples?: readonly RangeKey[];
  /** What the task's scans counted (malformed and dropped rows, bytes decoded). */
  readonly reads: readonly { readonly nodeId: number; readonly partition: number; readonly metrics: ReadMetrics }[];
}

/** An injected `fail-task` fault. */
export class InjectedFault extends Error {
  constructor(stage: number, partition: number) {
    super(`injected failure (TSDF_FAULTS fail-task@${stage}:${partition})`);
    this.name = "InjectedFault";
  }
}

function nodesById(root: PhysicalPlan): Map<number, PhysicalPlan> {
  const out = new Map<number, PhysicalPlan>();
  const visit = (n: PhysicalPlan): void => {
    if (out.has(n.id)) return;
    out.set(n.id, n);
    for (const c of physicalInputs(n)) visit(c);
  };
  visit(root);
  return out;
}

interface CachedStage {
  readonly root: PhysicalPlan;
  readonly exchange: RepartitionExec | undefined;
  readonly sample: TaskMessage["sample"];
  readonly nodes: Map<number, PhysicalPlan>;
  /** The columns the stage reads of each input (every task of a stage reads the same inputs). */
  readonly reads: Map<number, ColumnSet>;
}
const stageRoots = new Map<string, CachedStage>();

/** Runs one task where it is (a worker thread, or the driver's thread). */
export async function executeTask(msg: TaskMessage): Promise<TaskResult> {
  if (msg.fault === "fail-task") throw new InjectedFault(msg.stage, msg.partition);
  let stage = stageRoots.get(msg.stageKey);
  if (!stage) {
    // A long-lived worker serves many runs: keep the latest stages only.
    if (stageRoots.size > 256) stageRoots.clear();
    const inputIds = new Set([...msg.inputs, ...msg.scans].map((i) => i.nodeId));
    stage = { root: msg.root, exchange: msg.exchange, sample: msg.sample, nodes: nodesById(msg.root), reads: readColumns(msg.root, (id) => inputIds.has(id)) };
    stageRoots.set(msg.stageKey, stage);
  }
  const { root, exchange, sample, nodes, reads: columnReads } = stage;
  let rowsIn = 0;
  const inputs = new Map<number, Map<number, Iterable<arrow.RecordBatch>>>();
  const nodeOf = (id: number): PhysicalPlan => {
    const node = nodes.get(id);
    if (!node) throw new Error(`internal: task input node #${id} is not in stage ${msg.stage}`);
    return node;
  };
  // The rows of an input count as the task takes them (a scan's split is read while the task runs).
  const add = (node: PhysicalPlan, partition: number, batches: Iterable<arrow.RecordBatch>) => {
    const counted = {
      *[Symbol.iterator]() {
        for (const b of batches) {
          rowsIn += b.numRows;
          yield b;
        }
      },
    };
    inputs.set(node.id, (inputs.get(node.id) ?? new Map<number, Iterable<arrow.RecordBatch>>()).set(partition, counted));
  };
  for (const input of msg.inputs) {
    add(nodeOf(input.nodeId), input.partition, input.parts.flatMap(({ from, buffer }) => decodeBuffer(buffer, input.nodeId, from)));
  }
  const reads: TaskResult["reads"][number][] = [];
  for (const scan of msg.scans) {
    const node = nodeOf(scan.nodeId) as ScanExec;
    const metrics: ReadMetrics = { malformedRows: 0, droppedRows: 0 };
    add(node, scan.partition, await readScanSplit(node, scan.split, msg.dataDir, metrics));
    reads.push({ nodeId: node.id, partition: scan.partition, metrics });
  }
  const runner = new TaskRunner(inputs, msg.ctx, columnReads);
  // The task's rows, batch by batch: into one block, or an exchange's buckets.
  const partitioning = exchange?.partitioning;
  const buckets: ColumnBatch[][] = Array.from({ length: partitioning === undefined || partitioning.kind === "single" ? 1 : partitioning.count }, () => []);
  let rowsOut = 0;
  const emit = (b: ColumnBatch) => {
    if (exchange === undefined) (buckets[0] as ColumnBatch[]).push(b);
    else {
      // Round-robin goes on from the previous batch's last row, as over the whole partition.
      partitionBatch(exchange, b, msg.ctx, msg.bounds, rowsOut).forEach((part, k) => {
        if (part.length > 0) (buckets[k] as ColumnBatch[]).push(part);
      });
    }
    rowsOut += b.length;
  };
  let samples: RangeKey[] | undefined;
  if (sample) {
    // Sampling picks among all of the partition's rows.
    const out = runner.eval(root, msg.partition);
    samples = sampleRangeKeys(sample.exchange, out, msg.ctx, sample.rows);
    emit(out);
  } else runner.stream(root, msg.partition, emit);
  const schema = exchange === undefined ? root.schema : exchange.input.schema;
  const buffers = buckets.map((b) => encodeColumnBatches(schema, b));
  releaseIdleHeap();
  return { buffers, rowsIn, rowsOut, reads, ...(samples && { samples }) };
}
