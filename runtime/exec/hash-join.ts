import type { HashJoinExec } from "../../plan/physical.ts";
import { fieldIndex } from "../../plan/schema.ts";
import type { ColumnBatch } from "./columns.ts";
import { hasNull, rowKey } from "./keys.ts";
import { joinOutput } from "./join-output.ts";

/**
 * Equi-join of one left partition with the matching right partition (or the whole right side
 * when broadcast). Output order: left rows in order, each with its matches in right order;
 * then, for right and full joins, the right rows nothing matched. Null keys never match.
 */
export function hashJoin(node: HashJoinExec, left: ColumnBatch, right: ColumnBatch): ColumnBatch {
  const lKeys = node.keys.map((k) => left.columns[fieldIndex(node.left.schema, k)] as unknown[]);
  const rKeys = node.keys.map((k) => right.columns[fieldIndex(node.right.schema, k)] as unknown[]);
  const table = new Map<unknown, number[]>();
  for (let j = 0; j < right.length; j++) {
    if (hasNull(rKeys, j)) continue;
    const key = rowKey(rKeys, j);
    const rows = table.get(key);
    if (rows) rows.push(j);
    else table.set(key, [j]);
  }
  const li: number[] = [];
  const ri: number[] = [];
  const keepUnmatchedLeft = node.how === "left" || node.how === "full";
  const keepUnmatchedRight = node.how === "right" || node.how === "full";
  const matchedRight = keepUnmatchedRight ? new Uint8Array(right.length) : null;
  for (let i = 0; i < left.length; i++) {
    const matches = hasNull(lKeys, i) ? undefined : table.get(rowKey(lKeys, i));
    if (node.how === "semi" || node.how === "anti") {
      if ((matches !== undefined) === (node.how === "semi")) li.push(i);
      continue;
    }
    if (matches) {
      for (const j of matches) {
        li.push(i);
        ri.push(j);
        if (matchedRight) matchedRight[j] = 1;
      }
    } else if (keepUnmatchedLeft) {
      li.push(i);
      ri.push(-1);
    }
  }
  return joinOutput(node, left, right, li, ri, matchedRight);
}
