import type { HashJoinExec, NestedLoopJoinExec } from "../../plan/physical.ts";
import { fieldIndex } from "../../plan/schema.ts";
import { type ColumnBatch, gather } from "./columns.ts";

/**
 * Builds a join's output from matched row index pairs (-1 = no row on that side), in the
 * column order the logical join declares: for a join on names, the keys (from the left, from
 * the right for a right join, whichever exists for a full join), then the left's other
 * columns, then the right's; for a condition join, all left then all right columns; for
 * semi and anti joins, the left's columns. Right rows that `matchedRight` marks unmatched (right
 * and full joins) follow the matched pairs.
 */
export function joinOutput(
  node: HashJoinExec | NestedLoopJoinExec,
  left: ColumnBatch,
  right: ColumnBatch,
  li: number[],
  ri: number[],
  matchedRight: Uint8Array | null,
): ColumnBatch {
  if (matchedRight) {
    for (let j = 0; j < right.length; j++) {
      if (!matchedRight[j]) {
        li.push(-1);
        ri.push(j);
      }
    }
  }
  if (node.how === "semi" || node.how === "anti") {
    return { length: li.length, columns: left.columns.map((c) => gather(c, li)) };
  }
  const keys = node.kind === "HashJoinExec" ? node.keys : [];
  const columns: unknown[][] = [];
  for (const k of keys) {
    const lc = left.columns[fieldIndex(node.left.schema, k)] as unknown[];
    const rc = right.columns[fieldIndex(node.right.schema, k)] as unknown[];
    const fromRight = node.how === "right";
    columns.push(
      li.map((l, n) => {
        const r = ri[n] as number;
        if (fromRight) return r >= 0 ? rc[r] : lc[l];
        return l >= 0 ? lc[l] : rc[r];
      }),
    );
  }
  node.left.schema.fields.forEach((f, c) => {
    if (!keys.includes(f.name)) columns.push(gather(left.columns[c] as unknown[], li));
  });
  node.right.schema.fields.forEach((f, c) => {
    if (!keys.includes(f.name)) columns.push(gather(right.columns[c] as unknown[], ri));
  });
  return { length: li.length, columns };
}
