import type { SortExec } from "../../plan/physical.ts";
import { type ColumnBatch, takeRows } from "./columns.ts";
import { type BatchKernel, compileKernel, type KernelContext } from "./kernels.ts";
import { compareSortValues } from "./repartition.ts";

const kernels = new WeakMap<SortExec, BatchKernel[]>();

/**
 * Stable sort of one partition (ties keep input order) in Spark's order: nulls where the key
 * says (first ascending, last descending by default), NaN above every number. `fetch` keeps
 * the first N rows.
 */
export function sortBatch(node: SortExec, input: ColumnBatch, ctx: KernelContext): ColumnBatch {
  let ks = kernels.get(node);
  if (!ks) {
    ks = node.keys.map((k) => compileKernel(k.expr, node.input.schema));
    kernels.set(node, ks);
  }
  const values = ks.map((k) => k(input, ctx));
  const order = Array.from({ length: input.length }, (_, i) => i);
  order.sort((a, b) => {
    for (let k = 0; k < node.keys.length; k++) {
      const col = values[k] as unknown[];
      const c = compareSortValues(col[a] ?? null, col[b] ?? null, node.keys[k] as SortExec["keys"][number]);
      if (c !== 0) return c;
    }
    return a - b;
  });
  return takeRows(input, node.fetch === undefined ? order : order.slice(0, node.fetch));
}
