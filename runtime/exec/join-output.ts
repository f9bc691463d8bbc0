import type { HashJoinExec, NestedLoopJoinExec } from "../../plan/physical.ts";
import { fieldIndex } from "../../plan/schema.ts";
import { type ColumnBatch, type ColumnUse, gather, PRUNED, type RowIndexes } from "./columns.ts";
import { type ColumnSet, unionColumns } from "./kernels.ts";

/**
 * The columns of a hash join's left and right inputs that making its output columns `outputs`
 * reads (null: all): the keys, and the left's and right's other columns among `outputs`, in
 * joinOutput's column order.
 */
export function joinInputReads(node: HashJoinExec, outputs: ColumnSet): [ColumnSet, ColumnSet] {
  if (outputs === null) return [null, null];
  const left = new Set(node.keys.map((k) => fieldIndex(node.left.schema, k)));
  const right = new Set(node.keys.map((k) => fieldIndex(node.right.schema, k)));
  if (node.how === "semi" || node.how === "anti") return [unionColumns(left, outputs), right];
  let o = node.keys.length;
  for (const [side, reads] of [[node.left, left] as const, [node.right, right] as const]) {
    side.schema.fields.forEach((f, c) => {
      if (node.keys.includes(f.name)) return;
      if (outputs.has(o)) reads.add(c);
      o++;
    });
  }
  return [left, right];
}

/**
 * The utf8 keys of a hash join's left input that may reach it codes-only (see ColumnUse): those
 * whose output column nothing reads (`outputs`; null: all), or that have none (a right join
 * takes its keys from the right): probing needs only their codes.
 */
export function probeKeyUses(node: HashJoinExec, outputs: ColumnSet): ReadonlyMap<number, ColumnUse> {
  const uses = new Map<number, ColumnUse>();
  node.keys.forEach((k, o) => {
    const c = fieldIndex(node.left.schema, k);
    // Semi and anti joins output the left's columns in its order; the others, the keys first.
    const out = node.how === "semi" || node.how === "anti" ? c : o;
    const read = node.how !== "right" && (outputs === null || outputs.has(out));
    if (node.left.schema.fields[c]?.type === "utf8" && !read) uses.set(c, "codes");
  });
  return uses;
}

/** What a join's caller says of the output it wants and of its row pairs (see joinOutput). */
export interface JoinOutputs {
  /** The output columns something reads (the others are PRUNED); null or absent: all. */
  readonly outputs?: ColumnSet;
  /** The output columns their reader needs for another use than their values (see ColumnUse). */
  readonly uses?: ReadonlyMap<number, ColumnUse>;
  /** Whether the left rows, when as many as the left batch's, are known to be 0, 1, 2, … (else, or when false, they are checked). */
  readonly leftInOrder?: boolean;
}

/**
 * Builds a join's output from matched row index pairs (-1 = no row on that side), in the
 * column order the logical join declares: for a join on names, the keys (from the left, from
 * the right for a right join, whichever exists for a full join), then the left's other
 * columns, then the right's; for a condition join, all left then all right columns; for
 * semi and anti joins, the left's columns. Right rows that `matchedRight` marks unmatched (right
 * and full joins) follow the matched pairs. Output columns not in `made.outputs` (when given)
 * are PRUNED: nothing above the join reads them; those in `made.uses` are gathered for that use.
 */
export function joinOutput(
  node: HashJoinExec | NestedLoopJoinExec,
  left: ColumnBatch,
  right: ColumnBatch,
  matchedLeft: RowIndexes,
  matchedRightRows: RowIndexes,
  matchedRight: Uint8Array | null,
  made: JoinOutputs = {},
): ColumnBatch {
  const { outputs = null, uses } = made;
  let li = matchedLeft;
  let ri = matchedRightRows;
  if (matchedRight) {
    const unmatched: number[] = [];
    for (let j = 0; j < right.length; j++) if (!matchedRight[j]) unmatched.push(j);
    li = [...li, ...unmatched.map(() => -1)];
    ri = [...ri, ...unmatched];
  }
  // The sides' rows that may be -1: a left row's when no right row matched it (left and full
  // joins), a right row's when nothing matched it (right and full joins, from `matchedRight`).
  const leftMayMiss = matchedRight !== null;
  const rightMayMiss = node.how === "left" || node.how === "full";
  const columns: unknown[][] = [];
  /** Adds the next output column, made by `make` (for that column's use) when something reads it. */
  const add = (make: (use?: ColumnUse) => unknown[]) => {
    const o = columns.length;
    columns.push(outputs === null || outputs.has(o) ? make(uses?.get(o)) : PRUNED);
  };
  if (node.how === "semi" || node.how === "anti") {
    for (const c of left.columns) add(() => gather(c, li, "values", false));
    return { length: li.length, columns };
  }
  const keys = node.kind === "HashJoinExec" ? node.keys : [];
  // Every left row once, in order (an inner join whose left rows each match one right row): the left columns as they are.
  const leftAsIs = li.length === left.length && (made.leftInOrder === true || isIdentity(li));
  const fromLeft = (c: unknown[], use?: ColumnUse) => (leftAsIs ? c : gather(c, li, use, leftMayMiss));
  for (const k of keys) {
    const lc = left.columns[fieldIndex(node.left.schema, k)] as unknown[];
    const rc = right.columns[fieldIndex(node.right.schema, k)] as unknown[];
    // Only a full join has rows without a left row and rows without a right row.
    if (node.how === "right") add(() => gather(rc, ri, "values", rightMayMiss));
    else if (node.how !== "full") add(() => fromLeft(lc));
    else {
      add(() => {
        const keyColumn: unknown[] = new Array(li.length);
        for (let n = 0; n < li.length; n++) keyColumn[n] = (li[n] as number) >= 0 ? lc[li[n] as number] : rc[ri[n] as number];
        return keyColumn;
      });
    }
  }
  node.left.schema.fields.forEach((f, c) => {
    if (!keys.includes(f.name)) add((use) => fromLeft(left.columns[c] as unknown[], use));
  });
  node.right.schema.fields.forEach((f, c) => {
    if (!keys.includes(f.name)) add((use) => gather(right.columns[c] as unknown[], ri, use, rightMayMiss));
  });
  return { length: li.length, columns };
}

/** Whether `rows` is 0, 1, 2, … */
function isIdentity(rows: RowIndexes): boolean {
  for (let n = 0; n < rows.length; n++) if (rows[n] !== n) return false;
  return true;
}
