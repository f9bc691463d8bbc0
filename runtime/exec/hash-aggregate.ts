import { fieldIndex } from "../../plan/schema.ts";
import { aggregateStateFields as stateFields, type HashAggregateExec } from "../../plan/physical.ts";
import { createAccumulator } from "./accumulators.ts";
import type { ColumnBatch } from "./columns.ts";
import { type BatchKernel, compileKernel, type KernelContext } from "./kernels.ts";
import { KeyIndex } from "./keys.ts";

interface Compiled {
  readonly keyIndexes: readonly number[];
  /** Per aggregate: a kernel for its argument (rows in), or its state columns (states in). */
  readonly args: readonly (BatchKernel | null)[];
  readonly stateIndexes: readonly (readonly number[])[];
}

const compiled = new WeakMap<HashAggregateExec, Compiled>();

function compile(node: HashAggregateExec): Compiled {
  let c = compiled.get(node);
  if (!c) {
    const input = node.input.schema;
    const keyIndexes = node.groupBy.map((k) => fieldIndex(input, k));
    const fromStates = node.mode === "final";
    const args = node.aggs.map((a) => (fromStates || !a.arg ? null : compileKernel(a.arg, input)));
    const stateIndexes = node.aggs.map((a) => (fromStates ? stateFields(a).map((f) => fieldIndex(input, f.name)) : []));
    c = { keyIndexes, args, stateIndexes };
    compiled.set(node, c);
  }
  return c;
}

/**
 * Groups rows (or, in final mode, partial states) by key in first-seen order and emits one
 * row per group: the keys, then each aggregate's state (partial) or result (final, single).
 * A global aggregate (no keys) emits one row even for no input, except in partial mode.
 * Rows are first mapped to dense group ids; each aggregate then folds its whole argument
 * column into per-group state arrays, so nothing is allocated per row.
 */
export function hashAggregate(node: HashAggregateExec, input: ColumnBatch, ctx: KernelContext): ColumnBatch {
  const c = compile(node);
  const n = input.length;
  const keyCols = c.keyIndexes.map((k) => input.columns[k] as unknown[]);
  const ids = new KeyIndex(keyCols.length).addRows(keyCols, n);
  const firstRows: number[] = [];
  for (let i = 0; i < n; i++) if (ids[i] === firstRows.length) firstRows.push(i);
  const groups = firstRows.length === 0 && node.groupBy.length === 0 && node.mode !== "partial" ? 1 : firstRows.length;
  const accs = node.aggs.map(createAccumulator);
  accs.forEach((acc, a) => {
    if (node.mode === "final") acc.merge(ids, n, (c.stateIndexes[a] as readonly number[]).map((k) => input.columns[k] as unknown[]), groups);
    else {
      const arg = c.args[a];
      acc.update(ids, n, arg ? arg(input, ctx) : null, groups);
    }
  });
  const columns: unknown[][] = keyCols.map((col) => firstRows.map((i) => col[i]));
  for (const acc of accs) {
    if (node.mode === "partial") columns.push(...acc.states(groups));
    else columns.push(acc.results(groups));
  }
  return { length: groups, columns };
}
