import type * as arrow from "apache-arrow";
import { assertNever } from "../../plan/expr.ts";
import type { FilterExec, PhysicalPlan, ProjectionExec, RepartitionExec } from "../../plan/physical.ts";
import { batchToColumns, type ColumnBatch, columnsToBatch, concatColumns, sliceRows, takeRows } from "./columns.ts";
import { distinctBatch } from "./distinct.ts";
import { hashAggregate } from "./hash-aggregate.ts";
import { hashJoin } from "./hash-join.ts";
import { type BatchKernel, compileKernel, type KernelContext } from "./kernels.ts";
import { nestedLoopJoin } from "./nested-loop-join.ts";
import { partitionBatch } from "./repartition.ts";
import { sortBatch } from "./sort.ts";

/** One partition of a materialized node: its batches in order. */
export type Partition = readonly arrow.RecordBatch[];

function decodePartition(part: Partition, node: PhysicalPlan): ColumnBatch {
  return concatColumns(
    part.map((b) => batchToColumns(b, node.schema)),
    node.schema.fields.length,
  );
}

/**
 * One task: computes partition `partition` of a stage whose top is `root`. Everything the
 * task reads comes in `inputs` as Arrow batches, keyed by node id (all partitions of each
 * materialized node the stage reads), so a task can move to a worker thread unchanged.
 */
export interface Task {
  readonly root: PhysicalPlan;
  readonly partition: number;
  readonly inputs: ReadonlyMap<number, readonly Partition[]>;
  readonly ctx: KernelContext;
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

class TaskRunner {
  constructor(private readonly task: Task) {}

  private materialized(node: PhysicalPlan): readonly Partition[] | undefined {
    return this.task.inputs.get(node.id);
  }

  /** All partitions of a materialized node, concatenated in partition order (a broadcast side). */
  whole(node: PhysicalPlan): ColumnBatch {
    const parts = this.materialized(node);
    if (parts) return concatColumns(parts.map((part) => decodePartition(part, node)), node.schema.fields.length);
    const all = Array.from({ length: node.partitions }, (_, p) => this.eval(node, p));
    return concatColumns(all, node.schema.fields.length);
  }

  eval(node: PhysicalPlan, p: number): ColumnBatch {
    const parts = this.materialized(node);
    if (parts) {
      const b = parts[p];
      if (!b) throw new Error(`internal: partition ${p} of node #${node.id} is missing`);
      return decodePartition(b, node);
    }
    const ctx = this.task.ctx;
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
        let q = p;
        for (const input of node.inputs) {
          if (q < input.partitions) return this.eval(input, q);
          q -= input.partitions;
        }
        throw new Error(`internal: union #${node.id} has no partition ${p}`);
      }
      default:
        return assertNever(node);
    }
  }
}

/** Runs a stage's task: partition `partition` of `root`, as an Arrow batch. */
export function runTask(task: Task): arrow.RecordBatch {
  const out = new TaskRunner(task).eval(task.root, task.partition);
  return columnsToBatch(out, task.root.schema);
}

/** The map side of an exchange for one input partition: its rows split into the exchange's buckets. */
export function runExchangeTask(node: RepartitionExec, input: Partition, ctx: KernelContext): arrow.RecordBatch[] {
  const buckets = partitionBatch(node, decodePartition(input, node.input), ctx);
  return buckets.map((b) => columnsToBatch(b, node.input.schema));
}
