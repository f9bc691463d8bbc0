import { fieldIndex } from "../../plan/schema.ts";
import { aggregateStateFields as stateFields, type HashAggregateExec } from "../../plan/physical.ts";
import { type Accumulator, createAccumulator } from "./accumulators.ts";
import type { ColumnBatch } from "./columns.ts";
import { type BatchKernel, compileKernel, type KernelContext } from "./kernels.ts";
import { rowKey } from "./keys.ts";

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
 */
export function hashAggregate(node: HashAggregateExec, input: ColumnBatch, ctx: KernelContext): ColumnBatch {
  const c = compile(node);
  const keyCols = c.keyIndexes.map((k) => input.columns[k] as unknown[]);
  const argCols = c.args.map((k) => (k ? k(input, ctx) : null));
  const stateCols = c.stateIndexes.map((ix) => ix.map((k) => input.columns[k] as unknown[]));
  const groups = new Map<unknown, number>();
  const keyRows: number[] = [];
  const accs: Accumulator[][] = [];
  const newGroup = (): Accumulator[] => node.aggs.map(createAccumulator);
  for (let i = 0; i < input.length; i++) {
    const key = rowKey(keyCols, i);
    let g = groups.get(key);
    if (g === undefined) {
      g = keyRows.length;
      groups.set(key, g);
      keyRows.push(i);
      accs.push(newGroup());
    }
    const group = accs[g] as Accumulator[];
    for (let a = 0; a < group.length; a++) {
      const acc = group[a] as Accumulator;
      if (node.mode === "final") acc.merge((stateCols[a] as unknown[][]).map((col) => col[i]));
      else acc.update(argCols[a] ? (argCols[a] as unknown[])[i] : true);
    }
  }
  if (keyRows.length === 0 && node.groupBy.length === 0 && node.mode !== "partial") accs.push(newGroup());
  const columns: unknown[][] = keyCols.map((col) => keyRows.map((i) => col[i]));
  for (let a = 0; a < node.aggs.length; a++) {
    if (node.mode === "partial") {
      const width = stateFields(node.aggs[a] as (typeof node.aggs)[number]).length;
      const states = accs.map((g) => (g[a] as Accumulator).state());
      for (let s = 0; s < width; s++) columns.push(states.map((st) => st[s]));
    } else {
      columns.push(accs.map((g) => (g[a] as Accumulator).result()));
    }
  }
  return { length: accs.length, columns };
}
