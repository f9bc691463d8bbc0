import type * as arrow from "apache-arrow";
import { type PhysicalPlan, physicalInputs, referenceCounts, type RepartitionExec, type ScanExec } from "../plan/physical.ts";
import type { KernelContext } from "./exec/kernels.ts";
import { type Partition, runExchangeTask, runTask } from "./exec/task.ts";

/** Where a scan's partitions come from (files, or in-memory tables in tests). */
export type ScanSource = (node: ScanExec) => Promise<arrow.RecordBatch[]>;

/**
 * A stage: the operators one task runs on one partition, from `root` down to the
 * materialized nodes it reads (`inputs`: scans, exchanges, caches, shared sub-plans and
 * broadcast sides).
 */
export interface Stage {
  readonly root: PhysicalPlan;
  readonly inputs: readonly PhysicalPlan[];
}

/** Nodes whose output is materialized (all partitions) before a stage that reads them runs. */
function materializedNodes(roots: readonly PhysicalPlan[]): Set<PhysicalPlan> {
  const out = new Set<PhysicalPlan>();
  for (const [node, refs] of referenceCounts(roots)) {
    if (refs > 1 || node.kind === "ScanExec" || node.kind === "RepartitionExec" || node.kind === "CacheExec") out.add(node);
    if ((node.kind === "HashJoinExec" || node.kind === "NestedLoopJoinExec") && node.mode === "broadcast") out.add(node.right);
  }
  return out;
}

/** The stage whose top is `root`: the operators below it down to materialized nodes. */
export function stageOf(root: PhysicalPlan, materialized: ReadonlySet<PhysicalPlan>): Stage {
  const inputs: PhysicalPlan[] = [];
  const visit = (p: PhysicalPlan): void => {
    for (const c of physicalInputs(p)) {
      if (materialized.has(c)) {
        if (!inputs.includes(c)) inputs.push(c);
      } else visit(c);
    }
  };
  visit(root);
  return { root, inputs };
}

/**
 * Runs physical plans stage by stage: one task per partition, in this thread for now. Each
 * materialized node is computed once per run, however many stages and sinks read it.
 */
export class Scheduler {
  private readonly materialized: Set<PhysicalPlan>;
  private readonly memo = new Map<PhysicalPlan, Promise<Partition[]>>();

  constructor(
    roots: readonly PhysicalPlan[],
    private readonly ctx: KernelContext,
    private readonly scan: ScanSource,
  ) {
    this.materialized = materializedNodes(roots);
  }

  /** All partitions of `node`, computed once per run. */
  run(node: PhysicalPlan): Promise<Partition[]> {
    let result = this.memo.get(node);
    if (!result) {
      result = this.compute(node);
      this.memo.set(node, result);
    }
    return result;
  }

  private async compute(node: PhysicalPlan): Promise<Partition[]> {
    switch (node.kind) {
      case "ScanExec":
        return (await this.scan(node)).map((b) => [b]);
      case "CacheExec":
        return this.run(node.input);
      case "RepartitionExec":
        return this.exchange(node);
      default:
        return this.runStage(stageOf(node, this.materialized));
    }
  }

  /** Map tasks split each input partition; reduce side p concatenates bucket p of every input partition in order. */
  private async exchange(node: RepartitionExec): Promise<Partition[]> {
    const input = await this.run(node.input);
    const out: arrow.RecordBatch[][] = Array.from({ length: node.partitions }, () => []);
    for (const part of input) {
      const buckets = runExchangeTask(node, part, this.ctx);
      buckets.forEach((b, p) => {
        if (b.numRows > 0) (out[p] as arrow.RecordBatch[]).push(b);
      });
    }
    return out;
  }

  private async runStage(stage: Stage): Promise<Partition[]> {
    const inputs = new Map<number, readonly Partition[]>();
    const loaded = await Promise.all(stage.inputs.map((n) => this.run(n)));
    for (const [k, n] of stage.inputs.entries()) inputs.set(n.id, loaded[k] as Partition[]);
    const out: Partition[] = [];
    for (let p = 0; p < stage.root.partitions; p++) {
      out.push([runTask({ root: stage.root, partition: p, inputs, ctx: this.ctx })]);
    }
    return out;
  }
}
