import type { HashJoinExec } from "../../plan/physical.ts";
import { fieldIndex } from "../../plan/schema.ts";
import type { ColumnBatch } from "./columns.ts";
import { grownInt32, hasNull, KeyIndex } from "./keys.ts";
import { joinOutput } from "./join-output.ts";

/**
 * Equi-join of one left partition with the matching right partition (or the whole right side
 * when broadcast). Output order: left rows in order, each with its matches in right order;
 * then, for right and full joins, the right rows nothing matched. Null keys never match.
 * The build side is a KeyIndex over the right keys with each key's rows chained through
 * typed arrays (first/next), so neither building nor probing allocates per row.
 */
export function hashJoin(node: HashJoinExec, left: ColumnBatch, right: ColumnBatch): ColumnBatch {
  const lKeys = node.keys.map((k) => left.columns[fieldIndex(node.left.schema, k)] as unknown[]);
  const rKeys = node.keys.map((k) => right.columns[fieldIndex(node.right.schema, k)] as unknown[]);
  const index = new KeyIndex(rKeys.length);
  // Rows of key id k: head[k] - 1, then next[…] in right order (0 in head/tail: no row yet).
  let head: Int32Array = new Int32Array(64);
  let tail: Int32Array = new Int32Array(64);
  const next = new Int32Array(right.length).fill(-1);
  for (let j = 0; j < right.length; j++) {
    if (hasNull(rKeys, j)) continue;
    const k = index.add(rKeys, j);
    if (k >= head.length) {
      head = grownInt32(head, k + 1);
      tail = grownInt32(tail, k + 1);
    }
    if (head[k] === 0) head[k] = j + 1;
    else next[(tail[k] as number) - 1] = j;
    tail[k] = j + 1;
  }
  const li: number[] = [];
  const ri: number[] = [];
  const keepUnmatchedLeft = node.how === "left" || node.how === "full";
  const keepUnmatchedRight = node.how === "right" || node.how === "full";
  const matchedRight = keepUnmatchedRight ? new Uint8Array(right.length) : null;
  const found = index.findRows(lKeys, left.length);
  for (let i = 0; i < left.length; i++) {
    const k = found[i] as number;
    if (node.how === "semi" || node.how === "anti") {
      if ((k >= 0) === (node.how === "semi")) li.push(i);
      continue;
    }
    if (k >= 0) {
      for (let j = (head[k] as number) - 1; j >= 0; j = next[j] as number) {
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
