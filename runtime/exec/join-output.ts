import type { HashJoinExec, NestedLoopJoinExec } from "../../plan/physical.ts";
import { fieldIndex } from "../../plan/schema.ts";
import { type ColumnBatch, gather, type RowIndexes } from "./columns.ts";

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
  matchedLeft: RowIndexes,
  matchedRightRows: RowIndexes,
  matchedRight: Uint8Array | null,
): ColumnBatch {
  let li = matchedLeft;
  let ri = matchedRightRows;
  if (matchedRight) {
    const unmatched: number[] = [];
    for (let j = 0; j < right.length; j++) if (!matchedRight[j]) unmatched.push(j);
    li = [...li, ...unmatched.map(() => -1)];
    ri = [...ri, ...unmatched];
  }
  if (node.how === "semi" || node.how === "anti") {
    return { length: li.length, columns: left.columns.map((c) => gather(c, li)) };
  }
  const keys = node.kind === "HashJoinExec" ? node.keys : [];
  // Every left row once, in order (an inner join whose left rows each match one right row): the left columns as they are.
  const leftAsIs = li.length === left.length && isIdentity(li);
  const fromLeft = (c: unknown[]) => (leftAsIs ? c : gather(c, li));
  const columns: unknown[][] = [];
  for (const k of keys) {
    const lc = left.columns[fieldIndex(node.left.schema, k)] as unknown[];
    const rc = right.columns[fieldIndex(node.right.schema, k)] as unknown[];
    // Only a full join has rows without a left row and rows without a right row.
    if (node.how === "right") columns.push(gather(rc, ri));
    else if (node.how !== "full") columns.push(fromLeft(lc));
    else {
      const keyColumn: unknown[] = new Array(li.length);
      for (let n = 0; n < li.length; n++) keyColumn[n] = (li[n] as number) >= 0 ? lc[li[n] as number] : rc[ri[n] as number];
      columns.push(keyColumn);
    }
  }
  node.left.schema.fields.forEach((f, c) => {
    if (!keys.includes(f.name)) columns.push(fromLeft(left.columns[c] as unknown[]));
  });
  node.right.schema.fields.forEach((f, c) => {
    if (!keys.includes(f.name)) columns.push(gather(right.columns[c] as unknown[], ri));
  });
  return { length: li.length, columns };
}

/** Whether `rows` is 0, 1, 2, … */
function isIdentity(rows: RowIndexes): boolean {
  for (let n = 0; n < rows.length; n++) if (rows[n] !== n) return false;
  return true;
}
