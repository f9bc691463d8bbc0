import type * as arrow from "apache-arrow";
import { assertNever } from "../../plan/expr.ts";
import { type FilterExec, type PhysicalPlan, type ProjectionExec, physicalInputs, type RepartitionExec, type UnionExec } from "../../plan/physical.ts";
import { type BlockBuffer, decodeBuffer, encodeBatches } from "../shuffle/blocks.ts";
import { batchToColumns, type ColumnBatch, columnsToBatch, concatColumns, execArrowSchema, sliceRows, takeRows } from "./columns.ts";
import { distinctBatch } from "./distinct.ts";
import { hashAggregate } from "./hash-aggregate.ts";
import { hashJoin } from "./hash-join.ts";
import { type BatchKernel, compileKernel, type KernelContext } from "./kernels.ts";
import { nestedLoopJoin } from "./nested-loop-join.ts";
import { partitionBatch } from "./repartition.ts";
import { sortBatch } from "./sort.ts";

/** One partition of a materialized node: its batches in order. */
export type Partition = readonly arrow.RecordBatch[];

/** What a task reads of a materialized node: its partitions, keyed by partition number. */
export type TaskInputs = ReadonlyMap<number, ReadonlyMap<number, ColumnBatch>>;

/** Partition `p` of a union is partition `q` of one of its inputs: theirs, in input order. */
function unionInput(node: UnionExec, p: number): [PhysicalPlan, number] {
  let q = p;
  for (const input of node.inputs) {
    if (q < input.partitions) return [input, q];
    q -= input.partitions;
  }
  throw new Error(`internal: union #${node.id} has no partition ${p}`);
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
 * Evaluates a stage's operators for one partition, pulling partitions of materialized
 * nodes from `inputs` (a node found there is never computed again).
 */
class TaskRunner {
  constructor(
    private readonly inputs: TaskInputs,
    private readonly ctx: KernelContext,
  ) {}

  /** All partitions of a node, concatenated in partition order (a broadcast side). */
  whole(node: PhysicalPlan): ColumnBatch {
    const all = Array.from({ length: node.partitions }, (_, p) => this.eval(node, p));
    return concatColumns(all, node.schema.fields.length);
  }

  eval(node: PhysicalPlan, p: number): ColumnBatch {
    const parts = this.inputs.get(node.id);
    if (parts) {
      const b = parts.get(p);
      if (!b) throw new Error(`internal: partition ${p} of node #${node.id} is not among the task's inputs`);
      return b;
    }
    const ctx = this.ctx;
    switch (node.kind) {
      case "ScanExec":
      case "RepartitionExec":
      case "CacheExec":
        throw new Error(`internal: ${node.kind} #${node.id} must be materialized before a task reads it`);
      case "FilterExec":
        return filterBatch(node, this.eval(node.input, p), ctx);
      case "ProjectionExec":
        return projectBatch(node, this.eval(node.input, p), ctx);
      case "HashAggregateExec":
        return hashAggregate(node, this.eval(node.input, p), ctx);
      case "HashJoinExec":
        return hashJoin(node, this.eval(node.left, p), node.mode === "broadcast" ? this.whole(node.right) : this.eval(node.right, p));
      case "NestedLoopJoinExec":
        return nestedLoopJoin(node, this.eval(node.left, p), node.mode === "broadcast" ? this.whole(node.right) : this.eval(node.right, p), ctx);
      case "SortExec":
        return sortBatch(node, this.eval(node.input, p), ctx);
      case "LocalLimitExec":
      case "GlobalLimitExec":
        return sliceRows(this.eval(node.input, p), 0, node.fetch);
      case "DistinctExec":
        return distinctBatch(node, this.eval(node.input, p));
      case "UnionExec": {
        const [input, q] = unionInput(node, p);
        return this.eval(input, q);
      }
      default:
        return assertNever(node);
    }
  }
}


/**
 * The partitions of materialized nodes that computing partition `p` of `root` reads: the walk
 * of TaskRunner.eval, stopping at materialized nodes. A broadcast side is read whole.
 */
export function inputPartitions(root: PhysicalPlan, p: number, isMaterialized: (node: PhysicalPlan) => boolean): Map<PhysicalPlan, Set<number>> {
  const out = new Map<PhysicalPlan, Set<number>>();
  const need = (node: PhysicalPlan, q: number): void => {
    if (isMaterialized(node)) {
      out.set(node, (out.get(node) ?? new Set<number>()).add(q));
      return;
    }
    switch (node.kind) {
      case "ScanExec":
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
  readonly inputs: readonly TaskInput[];
  readonly ctx: KernelContext;
  readonly fault?: TaskFault;
}

export interface TaskResult {
  /** One buffer, or one per bucket of the exchange. */
  readonly buffers: readonly BlockBuffer[];
  readonly rowsIn: number;
  readonly rowsOut: number;
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

const stageRoots = new Map<string, { root: PhysicalPlan; exchange: RepartitionExec | undefined; nodes: Map<number, PhysicalPlan> }>();

/** Runs one task where it is (a worker thread, or the driver's thread). */
export function executeTask(msg: TaskMessage): TaskResult {
  if (msg.fault === "fail-task") throw new InjectedFault(msg.stage, msg.partition);
  let stage = stageRoots.get(msg.stageKey);
  if (!stage) {
    // A long-lived worker serves many runs: keep the latest stages only.
    if (stageRoots.size > 256) stageRoots.clear();
    stage = { root: msg.root, exchange: msg.exchange, nodes: nodesById(msg.root) };
    stageRoots.set(msg.stageKey, stage);
  }
  const { root, exchange, nodes } = stage;
  let rowsIn = 0;
  const inputs = new Map<number, Map<number, ColumnBatch>>();
  for (const input of msg.inputs) {
    const node = nodes.get(input.nodeId);
    if (!node) throw new Error(`internal: task input node #${input.nodeId} is not in stage ${msg.stage}`);
    const batches = input.parts.flatMap(({ from, buffer }) => decodeBuffer(buffer, input.nodeId, from));
    const columns = concatColumns(
      batches.map((b) => batchToColumns(b, node.schema)),
      node.schema.fields.length,
    );
    rowsIn += columns.length;
    const parts = inputs.get(input.nodeId) ?? new Map<number, ColumnBatch>();
    inputs.set(input.nodeId, parts.set(input.partition, columns));
  }
  const out = new TaskRunner(inputs, msg.ctx).eval(root, msg.partition);
  if (exchange === undefined) {
    return { buffers: [encodeBatches(execArrowSchema(root.schema), [columnsToBatch(out, root.schema)])], rowsIn, rowsOut: out.length };
  }
  const schema = execArrowSchema(exchange.input.schema);
  const buffers = partitionBatch(exchange, out, msg.ctx).map((b) => encodeBatches(schema, [columnsToBatch(b, exchange.input.schema)]));
  return { buffers, rowsIn, rowsOut: out.length };
}
