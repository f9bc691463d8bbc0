import type { SortKey } from "../../plan/expr.ts";
import type { RepartitionExec } from "../../plan/physical.ts";
import { type ColumnBatch, takeRows } from "./columns.ts";
import { type BatchKernel, compileKernel, type KernelContext } from "./kernels.ts";
import { compareValues, hashRow } from "./keys.ts";

/** The sort key values of one row (structured-clonable: numbers, strings, bigints, booleans, null). */
export type RangeKey = readonly unknown[];

const kernels = new WeakMap<RepartitionExec, BatchKernel[]>();

/** The columns an exchange partitions by: its hash expressions or its range's sort keys, evaluated over `input`. */
function keyColumns(node: RepartitionExec, input: ColumnBatch, ctx: KernelContext): unknown[][] {
  const p = node.partitioning;
  let ks = kernels.get(node);
  if (!ks) {
    const exprs = p.kind === "hash" ? p.exprs : p.kind === "range" ? p.keys.map((k) => k.expr) : [];
    ks = exprs.map((e) => compileKernel(e, node.input.schema));
    kernels.set(node, ks);
  }
  return ks.map((k) => k(input, ctx) as unknown[]);
}

/**
 * The map side of an exchange: splits one input partition (or one batch of it, whose first row
 * is row `firstRow` of the partition) into the exchange's buckets, keeping row order. A range
 * exchange needs the `bounds` picked for it by `rangeBounds`.
 */
export function partitionBatch(node: RepartitionExec, input: ColumnBatch, ctx: KernelContext, bounds?: readonly RangeKey[], firstRow = 0): ColumnBatch[] {
  const p = node.partitioning;
  if (p.kind === "single") return [input];
  const buckets: number[][] = Array.from({ length: p.count }, () => []);
  if (p.kind === "roundRobin") {
    for (let i = 0; i < input.length; i++) (buckets[(firstRow + i) % p.count] as number[]).push(i);
  } else if (p.kind === "range") {
    if (bounds === undefined) throw new Error(`internal: range exchange #${node.id} got no bounds`);
    const cols = keyColumns(node, input, ctx);
    const key: unknown[] = new Array(cols.length);
    for (let i = 0; i < input.length; i++) {
      for (let k = 0; k < cols.length; k++) key[k] = (cols[k] as unknown[])[i] ?? null;
      (buckets[rangeOf(key, bounds, p.keys)] as number[]).push(i);
    }
  } else {
    const cols = keyColumns(node, input, ctx);
    for (let i = 0; i < input.length; i++) (buckets[hashRow(cols, i) % p.count] as number[]).push(i);
  }
  return buckets.map((rows) => takeRows(input, rows));
}

/** Compares two values of one sort key as a sort orders them: nulls first or last as the key says, NaN above every number, descending reversed. */
export function compareSortValues(x: unknown, y: unknown, key: SortKey): number {
  if (x === null || y === null) {
    if (x === y) return 0;
    return (x === null) === key.nullsFirst ? -1 : 1;
  }
  const c = compareValues(x, y);
  return key.descending ? -c : c;
}

/** Compares two rows' sort keys in the order a sort puts them. */
export function compareRangeKeys(a: RangeKey, b: RangeKey, keys: readonly SortKey[]): number {
  for (let k = 0; k < keys.length; k++) {
    const c = compareSortValues(a[k] ?? null, b[k] ?? null, keys[k] as SortKey);
    if (c !== 0) return c;
  }
  return 0;
}

/** The range a key falls in: the first bound it does not exceed (equal keys always share a range). */
function rangeOf(key: RangeKey, bounds: readonly RangeKey[], keys: readonly SortKey[]): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareRangeKeys(bounds[mid] as RangeKey, key, keys) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The sort keys of up to `n` rows spread evenly over a batch: one input partition's sample for `rangeBounds`. */
export function sampleRangeKeys(node: RepartitionExec, input: ColumnBatch, ctx: KernelContext, n: number): RangeKey[] {
  const cols = keyColumns(node, input, ctx);
  const take = Math.min(n, input.length);
  return Array.from({ length: take }, (_, s) => {
    const i = Math.floor(((s + 0.5) * input.length) / take);
    return cols.map((c) => c[i] ?? null);
  });
}

/**
 * `count - 1` bounds that cut the sampled keys (all input partitions' samples together) into
 * `count` ranges of about equal size. Duplicate bounds are kept, so a key that fills several
 * ranges' worth of the sample leaves the ranges after it empty rather than shifting them.
 */
export function rangeBounds(samples: readonly RangeKey[], keys: readonly SortKey[], count: number): RangeKey[] {
  if (samples.length === 0) return [];
  const sorted = [...samples].sort((a, b) => compareRangeKeys(a, b, keys));
  return Array.from({ length: count - 1 }, (_, k) => sorted[Math.min(sorted.length - 1, Math.floor(((k + 1) * sorted.length) / count))] as RangeKey);
}
