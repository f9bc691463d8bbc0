import type { RepartitionExec } from "../../plan/physical.ts";
import { type ColumnBatch, takeRows } from "./columns.ts";
import { type BatchKernel, compileKernel, type KernelContext } from "./kernels.ts";
import { hashRow } from "./keys.ts";

const kernels = new WeakMap<RepartitionExec, BatchKernel[]>();

/** The map side of an exchange: splits one input partition into the exchange's buckets, keeping row order. */
export function partitionBatch(node: RepartitionExec, input: ColumnBatch, ctx: KernelContext): ColumnBatch[] {
  const p = node.partitioning;
  if (p.kind === "single") return [input];
  const buckets: number[][] = Array.from({ length: p.count }, () => []);
  if (p.kind === "roundRobin") {
    for (let i = 0; i < input.length; i++) (buckets[i % p.count] as number[]).push(i);
  } else {
    let ks = kernels.get(node);
    if (!ks) {
      ks = p.exprs.map((e) => compileKernel(e, node.input.schema));
      kernels.set(node, ks);
    }
    const cols = ks.map((k) => k(input, ctx));
    for (let i = 0; i < input.length; i++) (buckets[hashRow(cols, i) % p.count] as number[]).push(i);
  }
  return buckets.map((rows) => takeRows(input, rows));
}
