import type { DistinctExec } from "../../plan/physical.ts";
import { fieldIndex } from "../../plan/schema.ts";
import { type ColumnBatch, takeRows } from "./columns.ts";
import { KeyIndex } from "./keys.ts";

/** Keeps the first row of each key (over `columns`) in input order. */
export function distinctBatch(node: DistinctExec, input: ColumnBatch): ColumnBatch {
  const keyCols = node.columns.map((c) => input.columns[fieldIndex(node.input.schema, c)] as unknown[]);
  const index = new KeyIndex(keyCols.length);
  const ids = index.addRows(keyCols, input.length);
  const keep: number[] = [];
  // A new key gets the next id: the row is the first of its key.
  for (let i = 0; i < input.length; i++) if (ids[i] === keep.length) keep.push(i);
  index.free();
  return keep.length === input.length ? input : takeRows(input, keep);
}
