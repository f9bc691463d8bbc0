import { type HashAggregateExec, aggregateStateFields as stateFields } from "../../plan/physical.ts";
import { columnsOf } from "../../plan/expr.ts";
import { fieldIndex } from "../../plan/schema.ts";
import { createAccumulator, foldsTypedWithNulls, GroupBatch, type GroupedAccumulator, GroupRows } from "./accumulators.ts";
import { type ColumnBatch, type ColumnUse, concatColumns, keyValues, PRUNED } from "./columns.ts";
import { type BatchKernel, type ColumnSet, columnsRead, compileKernel, type KernelContext, unionColumns } from "./kernels.ts";
import { KeyIndex } from "./keys.ts";

interface Compiled {
  readonly keyIndexes: readonly number[];
  /**
   * Input columns the aggregation needs for another use than their values: the utf8 grouping
   * keys no aggregate reads (only their codes), and the numeric columns read only as the plain
   * argument of accumulators that fold a typed column with a validity.
   */
  readonly uses: ReadonlyMap<number, ColumnUse>;
  /** Every input column the aggregation reads: keys, arguments' columns, states. */
  readonly reads: ColumnSet;
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
    // The columns the arguments read (in final mode, the states carry them instead).
    const argReads = columnsRead(input, fromStates ? [] : node.aggs.flatMap((a) => (a.arg ? [a.arg] : [])));
    const uses = new Map<number, ColumnUse>();
    for (const k of keyIndexes) if (input.fields[k]?.type === "utf8" && argReads !== null && !argReads.has(k)) uses.set(k, "codes");
    if (!fromStates) {
      input.fields.forEach((f, k) => {
        const readers = node.aggs.filter((a) => a.arg !== undefined && columnsOf(a.arg).has(f.name));
        const folded = readers.every((a) => a.arg?.kind === "Column" && (a.arg.side ?? 0) === 0 && foldsTypedWithNulls(a));
        if (readers.length > 0 && folded && !keyIndexes.includes(k)) uses.set(k, "typedWithNulls");
      });
    }
    const reads = unionColumns(argReads, new Set([...keyIndexes, ...stateIndexes.flat()]));
    c = { keyIndexes, uses, reads, args, stateIndexes };
    compiled.set(node, c);
  }
  return c;
}

/**
 * The columns of an aggregate's input it needs for another use than their values: codes-only
 * utf8 keys that no aggregate reads, whose strings it takes from their dictionary for each new
 * group; numeric columns only its accumulators fold, typed even with nulls (see ColumnUse).
 */
export function inputUses(node: HashAggregateExec): ReadonlyMap<number, ColumnUse> {
  return compile(node).uses;
}

/** The columns of an aggregate's input it reads (the others it never touches); null: all. */
export function aggregateReads(node: HashAggregateExec): ColumnSet {
  return compile(node).reads;
}

/**
 * Groups rows (or, in final mode, partial states) by key in first-seen order, batch after batch,
 * and emits one row per group: the keys, then each aggregate's state (partial) or result (final,
 * single); an output column no one reads is PRUNED (a key's values are then never gathered). A
 * global aggregate (no keys) emits one row even for no input, except in partial mode.
 * Each batch's rows are first mapped to dense group ids; each aggregate then folds its whole
 * argument column into per-group state arrays, so nothing is allocated per row, and a batch is
 * dropped once folded.
 */
export class HashAggregation {
  private readonly c: Compiled;
  private readonly index: KeyIndex;
  private readonly accs: GroupedAccumulator[];
  /** Rows per group, counted once per batch for every accumulator. */
  private readonly rows = new GroupRows();
  /** The key values of each group in group id order: the keys of the groups each batch added. */
  private readonly keys: ColumnBatch[] = [];
  private groups = 0;

  /** Per output column, whether something reads it (a key no one reads is never gathered). */
  private readonly made: readonly boolean[];
  /** Whether some key column is read: else new groups' keys are never gathered. */
  private readonly keysMade: boolean;

  constructor(
    private readonly node: HashAggregateExec,
    private readonly ctx: KernelContext,
    /** The output columns something reads (the others are PRUNED); null: all. */
    outputs: ColumnSet = null,
  ) {
    this.made = [...node.groupBy, ...node.aggs].map((_, o) => outputs === null || outputs.has(o));
    this.keysMade = this.made.slice(0, node.groupBy.length).some((m) => m);
    this.c = compile(node);
    this.index = new KeyIndex(node.groupBy.length);
    this.accs = node.aggs.map((a) => createAccumulator(a, this.rows));
  }

  add(input: ColumnBatch): void {
    const { c, node } = this;
    const n = input.length;
    if (n === 0) return;
    const keyCols = c.keyIndexes.map((k) => input.columns[k] as unknown[]);
    const ids = this.index.addRows(keyCols, n);
    // New groups take the next ids in row order: a row whose id is the next one is its group's
    // first. A batch that added no group (the index's size unchanged) needs no scan.
    let groups = this.groups;
    if (this.index.size > groups && !this.keysMade) groups = this.index.size;
    else if (this.index.size > groups) {
      const firstRows: number[] = [];
      for (let i = 0; i < n; i++) {
        if (ids[i] === groups) {
          firstRows.push(i);
          groups++;
        }
      }
      this.keys.push({ length: firstRows.length, columns: keyCols.map((col, k) => (this.made[k] ? keyValues(col, firstRows) : PRUNED)) });
    }
    this.groups = groups;
    const rows = new GroupBatch(ids, n);
    if (node.mode === "final") {
      this.accs.forEach((acc, a) => {
        acc.merge(rows, (c.stateIndexes[a] as readonly number[]).map((k) => input.columns[k] as unknown[]), groups);
      });
      return;
    }
    this.rows.add(rows, groups);
    this.accs.forEach((acc, a) => {
      const arg = c.args[a];
      acc.update(rows, arg ? arg(input, this.ctx, acc.argumentInto?.(groups, n)) : null, groups);
    });
  }

  finish(): ColumnBatch {
    const { node } = this;
    const groups = this.groups === 0 && node.groupBy.length === 0 && node.mode !== "partial" ? 1 : this.groups;
    const columns: unknown[][] = this.keysMade ? [...concatColumns(this.keys, node.groupBy.length).columns] : node.groupBy.map(() => PRUNED);
    this.accs.forEach((acc, a) => {
      if (node.mode === "partial") columns.push(...acc.states(groups));
      else columns.push(this.made[node.groupBy.length + a] ? acc.results(groups) : PRUNED);
      acc.free?.();
    });
    this.index.free();
    this.rows.free();
    return { length: groups, columns };
  }
}
