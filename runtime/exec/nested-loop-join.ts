import type { NestedLoopJoinExec } from "../../plan/physical.ts";
import type { ColumnBatch } from "./columns.ts";
import { joinOutput } from "./join-output.ts";
import { compilePairKernel, type KernelContext, type PairKernel } from "./kernels.ts";

const kernels = new WeakMap<NestedLoopJoinExec, PairKernel>();

/**
 * Tests every left row against every right row with the join condition (JS truthiness).
 * Output order: left rows in order with their matches in right order, then (right and full
 * joins) the right rows nothing matched, which is why those joins run on a single partition.
 */
export function nestedLoopJoin(node: NestedLoopJoinExec, left: ColumnBatch, right: ColumnBatch, ctx: KernelContext): ColumnBatch {
  let kernel = kernels.get(node);
  if (!kernel) {
    kernel = compilePairKernel(node.condition, node.left.schema, node.right.schema);
    kernels.set(node, kernel);
  }
  const test = kernel(left, right, ctx);
  const li: number[] = [];
  const ri: number[] = [];
  const keepUnmatchedLeft = node.how === "left" || node.how === "full";
  const matchedRight = node.how === "right" || node.how === "full" ? new Uint8Array(right.length) : null;
  for (let i = 0; i < left.length; i++) {
    let matched = false;
    for (let j = 0; j < right.length; j++) {
      if (!test(i, j)) continue;
      matched = true;
      if (node.how === "semi" || node.how === "anti") break;
      li.push(i);
      ri.push(j);
      if (matchedRight) matchedRight[j] = 1;
    }
    if (node.how === "semi" || node.how === "anti") {
      if (matched === (node.how === "semi")) li.push(i);
    } else if (!matched && keepUnmatchedLeft) {
      li.push(i);
      ri.push(-1);
    }
  }
  return joinOutput(node, left, right, li, ri, matchedRight);
}
