import type { DistinctExec } from "../../plan/physical.ts";
import { fieldIndex } from "../../plan/schema.ts";
import { type ColumnBatch, takeRows } from "./columns.ts";
import { rowKey } from "./keys.ts";

/** Keeps the first row of each key (over `columns`) in input order. */
export function distinctBatch(node: DistinctExec, input: ColumnBatch): ColumnBatch {
  const keyCols = node.columns.map((c) => input.columns[fieldIndex(node.input.schema, c)] as unknown[]);
  const seen = new Set<unknown>();
  const keep: number[] = [];
  for (let i = 0; i < input.length; i++) {
    const k = rowKey(keyCols, i);
    if (!seen.has(k)) {
      seen.add(k);
      keep.push(i);
    }
  }
  return keep.length === input.length ? input : takeRows(input, keep);
}
