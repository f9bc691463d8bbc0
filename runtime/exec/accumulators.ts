import type { PhysicalAggregate } from "../../plan/physical.ts";
import { validityOf } from "./columns.ts";
import { compareValues } from "./keys.ts";
import { floatsAt, folds, HeapBytes, HeapFloats, intsAt, Scratch, scratchFloats, scratchInts, toHeap } from "./wasm/heap.ts";

/**
 * A batch's rows as group ids in the folds' heap (`at`, a byte offset): the ids given, or their
 * copy in scratch region `slot` (valid until the next batch there).
 */
export class GroupBatch {
  readonly at: number;
  constructor(
    ids: Int32Array,
    readonly n: number,
    slot: Scratch = Scratch.GroupIds,
  ) {
    this.at = toHeap(slot, ids, n);
  }

  /** The ids, a view of the heap: read it after anything that may allocate there. */
  get ids(): Int32Array {
    return intsAt(this.at, this.n);
  }
}

/**
 * The running states of one aggregate for every group of a batch, held column-wise (typed
 * arrays where the state is numeric), so folding a row allocates nothing. Rows arrive as group
 * ids (dense, 0-based) with the argument's values; states merge exactly and in input order
 * (partition 0's state first), so a partial/final aggregate gives the same result as a single
 * one for any partition count: float sums are exact (rounded once at the end), first/last keep
 * the earliest/latest row, min/max keep the first of equal values.
 */
export interface GroupedAccumulator {
  /** Folds row `i`'s argument `values[i]` (null for `count()`) into group `rows.ids[i]`, for i < rows.n; there are `groups` groups so far. */
  update(rows: GroupBatch, values: readonly unknown[] | null, groups: number): void;
  /**
   * Folds the partial states of row `i` (one column per state field) into group `batch.ids[i]`.
   * Like `update`, it reads the ids (a view of the heap) after growing its states, which may grow
   * the heap and detach older views.
   */
  merge(batch: GroupBatch, states: readonly (readonly unknown[])[], groups: number): void;
  /**
   * Where the argument's values of a batch of `n` rows over `groups` groups may be computed (a
   * view of the heap, which `update` then reads in place), or undefined. The accumulator's state
   * is grown first, so the view stays valid until that `update`.
   */
  argumentInto?(groups: number, n: number): Float64Array | undefined;
  /** One column per state field, one entry per group (0 … groups-1). */
  states(groups: number): unknown[][];
  results(groups: number): unknown[];
  /** Gives the states' memory in the folds' heap back, after the last `states` or `results`. */
  free?(): void;
}

/**
 * Exact sum of doubles (Shewchuk's partials, as Python's math.fsum): the correctly rounded sum,
 * so independent of order. The partials live in a typed array with a count, so adding never
 * resizes a JS array (which made this 40× slower than a plain addition).
 */
export class ExactSum {
  private p = new Float64Array(4);
  private n = 0;
  private special = 0;
  private hasSpecial = false;

  add(x: number): void {
    if (!Number.isFinite(x)) {
      this.special += x;
      this.hasSpecial = true;
      return;
    }
    let p = this.p;
    const len = this.n;
    let i = 0;
    for (let k = 0; k < len; k++) {
      let y = p[k] as number;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      if (!Number.isFinite(hi)) {
        this.special += hi;
        this.hasSpecial = true;
        this.n = 0;
        return;
      }
      const lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    if (i === p.length) {
      const bigger = new Float64Array(p.length * 2);
      bigger.set(p);
      this.p = p = bigger;
    }
    p[i] = x;
    this.n = i + 1;
  }

  value(): number {
    return this.hasSpecial ? this.special : roundPartials(this.p, this.n);
  }

  /** Back to an empty sum (0), keeping its buffer. */
  reset(): void {
    this.n = 0;
    this.special = 0;
    this.hasSpecial = false;
  }

  /**
   * Writes this sum as group g's partial state (see FloatSumAcc.states): its largest partial in
   * `hi` (an infinity or NaN there alone), the next in `lo`, any others in `rest`. The columns
   * start at 0, 0 and null.
   */
  writeState(g: number, hi: Float64Array, lo: Float64Array, rest: (number[] | null)[]): void {
    const { p, n } = this;
    if (this.hasSpecial) hi[g] = this.special;
    else if (n > 0) {
      hi[g] = p[n - 1] as number;
      if (n > 1) lo[g] = p[n - 2] as number;
      if (n > 2) rest[g] = Array.from(p.subarray(0, n - 2));
    }
  }
}

/** The correctly rounded value of Shewchuk partials `p[0 … count-1]` (ascending magnitude). */
function roundPartials(p: Float64Array, count: number): number {
  let n = count;
  if (n === 0) return 0;
  let hi = p[--n] as number;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = p[--n] as number;
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  if (n > 0 && ((lo < 0 && (p[n - 1] as number) < 0) || (lo > 0 && (p[n - 1] as number) > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}

/** A Float64Array of at least `n` slots (zeros beyond the old length); grows by doubling. */
function ensure(a: Float64Array, n: number): Float64Array {
  if (n <= a.length) return a;
  const out = new Float64Array(Math.max(n, a.length * 2));
  out.set(a);
  return out;
}

/**
 * The rows of number column `vs` that are not null (null, or not valid in a `typedWithNulls`
 * column's validity), as a batch in their own scratch region and their values as float64s in
 * scratch region Values (a view, valid until the heap next grows); `skipped(g)` is told the
 * group of each null row.
 */
function nonNullRows(rows: GroupBatch, vs: readonly unknown[], skipped: (g: number) => void): [GroupBatch, Float64Array] {
  const n = rows.n;
  const keptAt = scratchInts(Scratch.NonNullIds, n);
  const values = scratchFloats(Scratch.Values, n);
  // Views taken after the scratch regions (which may grow the heap) are.
  const kept = intsAt(keptAt, n);
  const ids = rows.ids;
  const valid = validityOf(vs);
  const m = valid === undefined ? keepNonNull(ids, n, vs, kept, values, skipped) : keepValid(ids, n, vs as unknown as Float64Array, valid, kept, values, skipped);
  return [new GroupBatch(kept, m, Scratch.NonNullIds), values];
}

/** nonNullRows over a column with nulls as null: the number of rows kept. */
function keepNonNull(ids: Int32Array, n: number, vs: readonly unknown[], kept: Int32Array, values: Float64Array, skipped: (g: number) => void): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = vs[i];
    const g = ids[i] as number;
    if (v === null || v === undefined) skipped(g);
    else {
      kept[m] = g;
      values[m++] = v as number;
    }
  }
  return m;
}

/** nonNullRows over a typed column with a validity (its int32s read as doubles alike): the number of rows kept. */
function keepValid(ids: Int32Array, n: number, vs: Float64Array, valid: Uint8Array, kept: Int32Array, values: Float64Array, skipped: (g: number) => void): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const g = ids[i] as number;
    if (valid[i] === 0) skipped(g);
    else {
      kept[m] = g;
      values[m++] = vs[i] as number;
    }
  }
  return m;
}

function ensureList<T>(a: T[], n: number, make: () => T): void {
  while (a.length < n) a.push(make());
}

/**
 * Rows per group of the batches an aggregation's accumulators fold (their `update`s), counted
 * once per batch for all of them: count(), and the counts of sums and averages over columns
 * without nulls, are these.
 */
export class GroupRows {
  private readonly counts = new HeapFloats(16);

  add(rows: GroupBatch, groups: number): void {
    this.counts.grow(groups);
    // One group (a global aggregate): every row is its.
    if (groups === 1) this.counts.array[0] = (this.counts.array[0] as number) + rows.n;
    else folds.countRows(rows.at, rows.n, this.counts.at);
  }

  of(g: number): number {
    return this.counts.array[g] ?? 0;
  }

  /** Every group's rows so far (a view of the heap, valid until it next grows; beyond the groups counted, whatever it holds). */
  view(): Float64Array {
    return this.counts.array;
  }

  free(): void {
    this.counts.free();
  }
}

/**
 * Values per group an accumulator folded: the group's rows (GroupRows, counted by the caller
 * when shared, else by the accumulator's `update`) less the null rows it skipped, plus the
 * counts of the states it merged.
 */
class ValueCounts {
  /** Merged counts less skipped rows, per group; none until a row is skipped or a state merged (most aggregates never do). */
  private delta: Float64Array | undefined;
  /** Groups so far: the delta's length when it is made. */
  private groups = 0;
  constructor(
    private readonly rows: GroupRows,
    private readonly counting: boolean,
  ) {}

  /** Before folding a batch: counts its rows when the GroupRows is this accumulator's own. */
  update(rows: GroupBatch, groups: number): void {
    this.reserve(groups);
    if (this.counting) this.rows.add(rows, groups);
  }

  /** The delta, of room for every group so far. */
  private deltas(): Float64Array {
    this.delta = ensure(this.delta ?? new Float64Array(0), this.groups);
    return this.delta;
  }

  /** Group g skipped a null row. */
  skip(g: number): void {
    const delta = this.deltas();
    delta[g] = (delta[g] as number) - 1;
  }

  /** Before merging a batch of states over `groups` groups. */
  reserve(groups: number): void {
    this.groups = Math.max(this.groups, groups);
  }

  merge(g: number, n: number): void {
    const delta = this.deltas();
    delta[g] = (delta[g] as number) + n;
  }

  of(g: number): number {
    return (this.delta?.[g] ?? 0) + this.rows.of(g);
  }

  /** The counts of groups 0 … groups-1. */
  all(groups: number): Float64Array {
    const out = new Float64Array(groups);
    const rows = this.rows.view();
    const delta = this.delta;
    if (delta === undefined) out.set(rows.subarray(0, Math.min(groups, rows.length)));
    else for (let g = 0; g < groups; g++) out[g] = (delta[g] ?? 0) + (rows[g] ?? 0);
    return out;
  }

  /** Whether `update` counts rows into a GroupRows of its own (which may grow the heap). */
  get ownsRows(): boolean {
    return this.counting;
  }

  /** Frees the GroupRows when it is this accumulator's own. */
  free(): void {
    if (this.counting) this.rows.free();
  }
}

class CountAcc implements GroupedAccumulator {
  private readonly n: ValueCounts;
  constructor(
    private readonly star: boolean,
    rows: GroupRows | undefined,
  ) {
    this.n = new ValueCounts(rows ?? new GroupRows(), rows === undefined);
  }
  update(rows: GroupBatch, values: readonly unknown[] | null, groups: number): void {
    this.n.update(rows, groups);
    if (this.star || values === null) return;
    const { ids, n } = rows;
    const valid = validityOf(values);
    if (valid !== undefined) {
      for (let i = 0; i < n; i++) if (valid[i] === 0) this.n.skip(ids[i] as number);
      return;
    }
    if (isDense(values)) return;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === null || v === undefined) this.n.skip(ids[i] as number);
    }
  }
  merge(batch: GroupBatch, states: readonly (readonly unknown[])[], groups: number): void {
    this.n.reserve(groups);
    const { ids, n: rows } = batch;
    const s = states[0] as readonly unknown[];
    for (let i = 0; i < rows; i++) this.n.merge(ids[i] as number, (s[i] as number | null) ?? 0);
  }
  states(groups: number): unknown[][] {
    return [this.n.all(groups) as unknown as unknown[]];
  }
  results(groups: number): unknown[] {
    return countsAsInt64(this.n.all(groups)) as unknown as unknown[];
  }
  free(): void {
    this.n.free();
  }
}

/** Whether a column is a typed array without nulls (decodeColumn's numeric columns without nulls). */
function isDense(values: readonly unknown[]): boolean {
  return ArrayBuffer.isView(values) && validityOf(values) === undefined;
}

/**
 * A numeric state column: `values` as they are (a typed column, which encodes without a copy)
 * when every group has a value, else with null for the groups whose count is 0.
 */
function nullWhereEmpty(values: Float64Array, counts: Float64Array): unknown[] {
  if (!counts.includes(0)) return values as unknown as unknown[];
  return Array.from(values, (v, g) => (counts[g] === 0 ? null : v));
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Counts (whole doubles below 2^53) as an int64 column: written as 32-bit halves, so no value makes a BigInt. */
function countsAsInt64(counts: Float64Array): BigInt64Array {
  const out = new BigInt64Array(counts.length);
  if (!littleEndian) {
    for (let g = 0; g < counts.length; g++) out[g] = BigInt(counts[g] as number);
    return out;
  }
  const halves = new Uint32Array(out.buffer);
  for (let g = 0; g < counts.length; g++) {
    const c = counts[g] as number;
    const hi = Math.floor(c / 2 ** 32);
    halves[2 * g] = c - hi * 2 ** 32;
    halves[2 * g + 1] = hi;
  }
  return out;
}

/** Distinct non-null values per group; a Set's SameValueZero is the grouping semantics (NaN once, -0 as 0). */
class CountDistinctAcc implements GroupedAccumulator {
  private readonly seen: Set<unknown>[] = [];
  update({ ids, n }: GroupBatch, values: readonly unknown[] | null, groups: number): void {
    ensureList(this.seen, groups, () => new Set());
    const vs = values as readonly unknown[];
    for (let i = 0; i < n; i++) {
      const v = vs[i];
      if (v !== null && v !== undefined) (this.seen[ids[i] as number] as Set<unknown>).add(v);
    }
  }
  merge(batch: GroupBatch, states: readonly (readonly unknown[])[], groups: number): void {
    ensureList(this.seen, groups, () => new Set());
    const { ids, n: rows } = batch;
    const s = states[0] as readonly unknown[];
    for (let i = 0; i < rows; i++) {
      const into = this.seen[ids[i] as number] as Set<unknown>;
      for (const v of (s[i] as unknown[] | null) ?? []) into.add(v);
    }
  }
  states(groups: number): unknown[][] {
    ensureList(this.seen, groups, () => new Set());
    return [this.seen.slice(0, groups).map((set) => [...set])];
  }
  results(groups: number): unknown[] {
    ensureList(this.seen, groups, () => new Set());
    return this.seen.slice(0, groups).map((set) => BigInt(set.size));
  }
}

/** sum and avg of int32 (a double holds int32 sums exactly below 2^53) and int64 (bigint). */
class IntSumAcc implements GroupedAccumulator {
  private readonly count: ValueCounts;
  private readonly num = new HeapFloats(16);
  private readonly big: bigint[] = [];
  constructor(
    private readonly wide: boolean,
    private readonly avg: boolean,
    rows: GroupRows | undefined,
  ) {
    this.count = new ValueCounts(rows ?? new GroupRows(), rows === undefined);
  }
  private grow(groups: number): void {
    if (this.wide) ensureList(this.big, groups, () => 0n);
    else this.num.grow(groups);
  }
  update(rows: GroupBatch, values: readonly unknown[] | null, groups: number): void {
    this.grow(groups);
    this.count.update(rows, groups);
    const vs = values as readonly unknown[];
    if (!this.wide && vs instanceof Int32Array && isDense(vs)) {
      folds.sumInt32(rows.at, toHeap(Scratch.Values, vs, rows.n), rows.n, this.num.at);
      return;
    }
    const { ids, n } = rows;
    const { big } = this;
    const num = this.num.array;
    const valid = validityOf(vs);
    for (let i = 0; i < n; i++) {
      const v = vs[i];
      const g = ids[i] as number;
      if (valid === undefined ? v === null || v === undefined : valid[i] === 0) this.count.skip(g);
      else if (this.wide) big[g] = (big[g] as bigint) + (v as bigint);
      else num[g] = (num[g] as number) + (v as number);
    }
  }
  merge(batch: GroupBatch, states: readonly (readonly unknown[])[], groups: number): void {
    this.grow(groups);
    this.count.reserve(groups);
    const { ids, n: rows } = batch;
    const { big } = this;
    const num = this.num.array;
    const sums = states[0] as readonly unknown[];
    const counts = states[1];
    for (let i = 0; i < rows; i++) {
      const s = sums[i];
      const n = counts ? ((counts[i] as number | null) ?? 0) : s === null || s === undefined ? 0 : 1;
      if (s === null || s === undefined || n === 0) continue;
      const g = ids[i] as number;
      this.count.merge(g, n);
      if (this.wide) big[g] = (big[g] as bigint) + (s as bigint);
      else num[g] = (num[g] as number) + (s as number);
    }
  }
  private sum(g: number): number | bigint | null {
    if (this.count.of(g) === 0) return null;
    return this.wide ? (this.big[g] as bigint) : (this.num.array[g] as number);
  }
  states(groups: number): unknown[][] {
    this.grow(groups);
    const counts = this.count.all(groups);
    const sums = this.wide ? Array.from({ length: groups }, (_, g) => this.sum(g)) : nullWhereEmpty(this.num.array.slice(0, groups), counts);
    return this.avg ? [sums, counts as unknown as unknown[]] : [sums];
  }
  results(groups: number): unknown[] {
    this.grow(groups);
    if (this.wide) {
      return Array.from({ length: groups }, (_, g) => {
        const s = this.sum(g);
        return s === null || !this.avg ? s : Number(s) / this.count.of(g);
      });
    }
    const counts = this.count.all(groups);
    const sums = this.num.array.slice(0, groups);
    if (this.avg) for (let g = 0; g < groups; g++) sums[g] = (sums[g] as number) / (counts[g] as number);
    return nullWhereEmpty(sums, counts);
  }
  free(): void {
    this.num.free();
    this.count.free();
  }
}

/** 2^32: the width of one chunk of a group's fixed-point sum. */
const CHUNK = 2 ** 32;
/** Magnitudes a group's fixed-point windows take (others go to an ExactSum, as do infinities and NaN). */
const MIN_WINDOWED = 2 ** -900;
const MAX_WINDOWED = 2 ** 900;
/** Rows added between carries, so that no chunk passes 2^53 (each add is below 2^32 units). */
const CARRY_EVERY = 1 << 20;

/** A group's window is WINDOW floats from WINDOW·g: its scale, then its lo, mid and hi chunks. */
const WINDOW = 4;
const SCALE = 0;
const LO = 1;
const MID = 2;
const HI = 3;

/**
 * A fixed-point window per group: three 32-bit chunks of units of 2^base, the base chosen from
 * the first value the group's window takes so that that value's last mantissa bit fits. A value
 * is split exactly into its three chunk parts and each chunk adds as a double, which stays exact
 * below 2^53 while chunks carry often enough. A group's four floats sit together in the folds'
 * heap (folds.wat's addToWindows adds a batch's values), so a row touches one cache line.
 */
class Windows {
  /** Per group: 2^-base (a value times this is its count of units; NaN while the group has none), lo, mid, hi. */
  readonly cells = new HeapFloats(16 * WINDOW, Number.NaN);

  constructor() {
    this.clear(0, 16);
  }

  /** Room for `groups` groups, the new ones without a window. */
  grow(groups: number): void {
    const had = this.cells.length / WINDOW;
    if (groups <= had) return;
    this.cells.grow(groups * WINDOW);
    this.clear(had, this.cells.length / WINDOW);
  }

  private clear(from: number, to: number): void {
    const c = this.cells.array;
    c.fill(0, from * WINDOW, to * WINDOW);
    for (let g = from; g < to; g++) c[g * WINDOW + SCALE] = Number.NaN;
  }

  /** Adds x (a finite, windowed magnitude) to group g's window, opening it at x; false when x does not fit the window. */
  add(g: number, x: number): boolean {
    const c = this.cells.array;
    const w = g * WINDOW;
    let scale = c[w + SCALE] as number;
    if (Number.isNaN(scale)) {
      // The lowest unit: a chunk boundary at or below the value's last mantissa bit (2^(e-52)).
      const base = Math.floor((Math.floor(Math.log2(Math.abs(x))) - 53) / 32) * 32;
      scale = 2 ** -base;
      c[w + SCALE] = scale;
    }
    const t = x * scale;
    if (t === 0 || t !== Math.trunc(t) || Math.abs(t) >= CHUNK * CHUNK * CHUNK) return false;
    // Split exactly at 2^64 and 2^32 (multiplying by 2^-64 and 2^-32 is exact, and cheaper than dividing).
    const h = Math.trunc(t * (1 / (CHUNK * CHUNK)));
    const r = t - h * (CHUNK * CHUNK);
    const m = Math.trunc(r * (1 / CHUNK));
    c[w + HI] = (c[w + HI] as number) + h;
    c[w + MID] = (c[w + MID] as number) + m;
    c[w + LO] = (c[w + LO] as number) + (r - m * CHUNK);
    return true;
  }

  /** Moves whole chunks of `lo` into `mid` and of `mid` into `hi` for groups 0 … groups-1; calls `full(g)` for each whose `hi` nears 2^53. */
  carry(groups: number, full: (g: number) => void): void {
    const c = this.cells.array;
    for (let g = 0; g < groups; g++) {
      const w = g * WINDOW;
      if (Number.isNaN(c[w + SCALE] as number)) continue;
      const lo = c[w + LO] as number;
      const up = Math.trunc(lo / CHUNK);
      c[w + LO] = lo - up * CHUNK;
      const mid = (c[w + MID] as number) + up;
      const up2 = Math.trunc(mid / CHUNK);
      c[w + MID] = mid - up2 * CHUNK;
      c[w + HI] = (c[w + HI] as number) + up2;
      if (Math.abs(c[w + HI] as number) >= 2 ** 52) full(g);
    }
  }

  /** Whether group g's window was opened (one closed since counts). */
  has(g: number): boolean {
    return !Number.isNaN(this.cells.array[g * WINDOW + SCALE] as number);
  }

  /** Feeds group g's chunks (each an exact value) to `into`. */
  moveTo(g: number, into: ExactSum): void {
    const c = this.cells.array;
    const w = g * WINDOW;
    const unit = 1 / (c[w + SCALE] as number);
    if (Number.isNaN(unit)) return;
    into.add((c[w + LO] as number) * unit);
    into.add((c[w + MID] as number) * unit * CHUNK);
    into.add((c[w + HI] as number) * unit * CHUNK * CHUNK);
  }

  /**
   * Closes group g's window for good, zeroing its chunks. Its scale becomes +Infinity, which makes
   * every value's count of units infinite (or NaN), so addToWindows leaves them all to the caller
   * and never opens the window again (it opens only at a NaN scale).
   */
  close(g: number): void {
    const c = this.cells.array;
    const w = g * WINDOW;
    c[w + SCALE] = Number.POSITIVE_INFINITY;
    c[w + LO] = 0;
    c[w + MID] = 0;
    c[w + HI] = 0;
  }
}

/** One ExactSum reused to round a group's windows (whose chunks are exact doubles) once. */
const rounding = new ExactSum();
/** A group's sum as two exact doubles, when windowPair finds it so. */
const pair = new Float64Array(2);

/**
 * Whether group g of first windows `cells`, `alone` there (no second window, not spilled), sums
 * to two exact doubles: its two upper chunks one integer below 2^53 (then times the unit) and its
 * lowest; then put in `pair`.
 */
function windowPair(cells: Float64Array, g: number, alone: boolean): boolean {
  const w = g * WINDOW;
  const unit = 1 / (cells[w + SCALE] as number);
  const hi = cells[w + HI] as number;
  const mid = cells[w + MID] as number;
  if (!(alone && unit >= 2 ** -960 && Math.abs(hi) < 2 ** 20 && Math.abs(mid) < 2 ** 52)) return false;
  pair[0] = (hi * CHUNK + mid) * (CHUNK * unit);
  pair[1] = (cells[w + LO] as number) * unit;
  return true;
}

/**
 * sum and avg of float64, exact (so the result is the same for any partitioning). Each group
 * sums in fixed point (Windows): a few multiplications a row instead of Shewchuk's loop over
 * partials. A value that does not fit the group's first window (a last bit finer than its unit,
 * or too large for it: 0.0001 among values near 100 has 2^-66 for its last bit, which a window
 * reaching 100 cannot hold) goes to a second window opened at it; one that fits neither moves
 * the group to an ExactSum, which the windows join without loss.
 */
class FloatSumAcc implements GroupedAccumulator {
  private readonly count: ValueCounts;
  private readonly first = new Windows();
  /** Opened when a value first does not fit a group's first window (never, for most sums). */
  private second: Windows | undefined;
  /**
   * Per group, the exact sum of its whole values (integers of magnitude at most 2^31, as sums
   * of int columns' products are), which a batch adds with one addition each (folds.addWhole)
   * until its first other value; moved into the windows (settle) before they carry or are read.
   * Made when a batch first starts with a whole value.
   */
  private whole: HeapFloats | undefined;
  /** Whether some group's whole sum is not zero. */
  private wholeAdded = false;
  /** Values added to windows since every window last carried. */
  private sinceCarry = 0;
  private groups = 0;
  private readonly spilled = new Map<number, ExactSum>();
  constructor(
    private readonly avg: boolean,
    rows: GroupRows | undefined,
  ) {
    this.count = new ValueCounts(rows ?? new GroupRows(), rows === undefined);
  }

  private grow(groups: number): void {
    this.groups = Math.max(this.groups, groups);
    this.first.grow(groups);
    this.second?.grow(groups);
    this.whole?.grow(groups);
  }

  /**
   * Makes room for `adds` more values in every window and whole sum, carrying them all first
   * when needed (the whole sums settled into the windows, one value a group, which the windows'
   * slack above CARRY_EVERY holds).
   */
  private reserve(adds: number): void {
    if (this.sinceCarry + adds > CARRY_EVERY) {
      this.settle();
      const spill = (g: number) => this.spill(g);
      this.first.carry(this.groups, spill);
      this.second?.carry(this.groups, spill);
      this.sinceCarry = 0;
    }
    this.sinceCarry += adds;
  }

  private add(g: number, x: number): void {
    const spilled = this.spilled.get(g);
    if (spilled !== undefined) spilled.add(x);
    else if (x === 0) return;
    else {
      const size = Math.abs(x);
      if (!(size >= MIN_WINDOWED && size <= MAX_WINDOWED) || !(this.first.add(g, x) || this.opened().add(g, x))) this.spill(g).add(x);
    }
  }

  /**
   * Adds the `n` values at `values` (the first of them `first`) of the rows whose ids are at
   * `ids` to their groups' whole sums, up to the first value that is not whole: how many it added.
   */
  private addWhole(ids: number, values: number, first: number, n: number): number {
    if (!(Number.isInteger(first) && Math.abs(first) <= 2 ** 31)) return 0;
    if (this.whole === undefined) {
      this.whole = new HeapFloats(16);
      this.whole.grow(this.groups);
    }
    const added = folds.addWhole(ids, values, n, this.whole.at);
    if (added > 0) this.wholeAdded = true;
    return added;
  }

  /**
   * Moves every group's whole sum into its windows (an exact value each), leaving zeros; with
   * `onlyWindowed`, only those of groups whose first window opened (see `wholeOnly`): the others
   * keep their whole sums, which are their sums.
   */
  private settle(onlyWindowed = false): void {
    if (!this.wholeAdded || this.whole === undefined) return;
    this.wholeAdded = false;
    // Read out first: adding may open the second windows, growing the heap.
    const sums = this.whole.array.subarray(0, this.groups);
    const first = this.first.cells.array;
    const groups: number[] = [];
    const values: number[] = [];
    for (let g = 0; g < sums.length; g++) {
      const s = sums[g] as number;
      if (s === 0) continue;
      if (onlyWindowed && this.wholeOnly(first, g)) {
        this.wholeAdded = true;
        continue;
      }
      groups.push(g);
      values.push(s);
      sums[g] = 0;
    }
    for (let k = 0; k < groups.length; k++) this.add(groups[k] as number, values[k] as number);
  }

  /**
   * Whether group g's first window never opened (`first`: the first windows' view; a second
   * opens only after it, and a spilled group's are closed, not unopened): every value it added
   * was whole (or 0), so its whole sum is its sum.
   */
  private wholeOnly(first: Float64Array, g: number): boolean {
    return Number.isNaN(first[g * WINDOW + SCALE] as number);
  }

  /** Group g's whole sum when it is its sum (wholeOnly, after settle(true)), else undefined. */
  private wholeSum(first: Float64Array, whole: Float64Array | undefined, g: number): number | undefined {
    return this.wholeOnly(first, g) ? (whole?.[g] ?? 0) : undefined;
  }

  /**
   * The second windows, opened for every group so far the first time a value needs one. Opening
   * them allocates in the heap: a caller looping over views of the heap opens them first.
   */
  private opened(): Windows {
    if (this.second === undefined) {
      this.second = new Windows();
      this.second.grow(this.groups);
    }
    return this.second;
  }

  /** Moves group g to an ExactSum holding what its windows held. */
  private spill(g: number): ExactSum {
    const sum = new ExactSum();
    for (const w of this.second ? [this.first, this.second] : [this.first]) {
      w.moveTo(g, sum);
      w.close(g);
    }
    this.spilled.set(g, sum);
    return sum;
  }

  update(rows: GroupBatch, values: readonly unknown[] | null, groups: number): void {
    this.grow(groups);
    this.count.update(rows, groups);
    if (values instanceof Float64Array && isDense(values)) this.updateDense(rows, values);
    else this.updateDense(...nonNullRows(rows, values as readonly unknown[], (g) => this.count.skip(g)));
  }

  /** A kernel's doubles go straight into the scratch region the windows' fold reads (no array per batch, no copy). */
  argumentInto(groups: number, n: number): Float64Array | undefined {
    if (this.count.ownsRows) return undefined;
    this.grow(groups);
    return scratchFloats(Scratch.Values, n);
  }

  /** Adds `values` (in the heap already when a kernel computed them there; read only through fresh views from then on). */
  private updateDense(rows: GroupBatch, values: Float64Array): void {
    const n = rows.n;
    const at = toHeap(Scratch.Values, values, n);
    const restAt = scratchInts(Scratch.Rest, Math.min(n, CARRY_EVERY));
    for (let from = 0; from < n; from += CARRY_EVERY) {
      const to = Math.min(n, from + CARRY_EVERY);
      this.reserve(to - from);
      // Whole values add to their group's whole sum up to the first other value; from there,
      // values that fit their group's first window add there, and the rest (a value the window
      // cannot hold, or one that opens no window) come back as row numbers, for add().
      const whole = from + this.addWhole(rows.at + from * 4, at + from * 8, floatsAt(at + from * 8, 1)[0] as number, to - from);
      // One group (a global sum): every row's window is group 0's, summed in registers.
      const left =
        this.groups === 1
          ? folds.addToWindow(at + whole * 8, to - whole, this.first.cells.at, restAt)
          : folds.addToWindows(rows.at + whole * 4, at + whole * 8, to - whole, this.first.cells.at, restAt);
      // Opened (which may grow the heap) before the heap's views below are taken.
      if (left > 0) this.opened();
      const ids = rows.ids;
      const rest = intsAt(restAt, left);
      const heapValues = floatsAt(at, n);
      for (let k = 0; k < left; k++) {
        const i = whole + (rest[k] as number);
        this.add(ids[i] as number, heapValues[i] as number);
      }
    }
  }

  /**
   * Folds partial states (see `states`): each row's hi and lo parts add as a batch of values,
   * as `update` adds rows, and the rare rest one by one.
   */
  merge(batch: GroupBatch, states: readonly (readonly unknown[])[], groups: number): void {
    this.grow(groups);
    this.count.reserve(groups);
    const [his, los, rests, counts] = states as readonly (readonly unknown[])[];
    const n = batch.n;
    const ids = batch.ids;
    for (let i = 0; i < n; i++) {
      const h = his?.[i];
      if (h !== null && h !== undefined) this.count.merge(ids[i] as number, counts ? ((counts[i] as number | null) ?? 0) : 1);
    }
    // Rows with a state (a group without values has a null hi), with their hi and lo parts; a
    // batch of them (made last: it allocates in the heap, where `ids` lives).
    let rows = batch;
    let hi = his as unknown as Float64Array;
    let lo = los as unknown as Float64Array;
    if (!(his instanceof Float64Array && los instanceof Float64Array)) {
      const kept = new Int32Array(n);
      hi = new Float64Array(n);
      lo = new Float64Array(n);
      let m = 0;
      for (let i = 0; i < n; i++) {
        const h = his?.[i];
        if (h === null || h === undefined) continue;
        kept[m] = ids[i] as number;
        hi[m] = h as number;
        lo[m++] = (los?.[i] as number | null) ?? 0;
      }
      rows = new GroupBatch(kept, m, Scratch.NonNullIds);
    }
    this.updateDense(rows, hi);
    this.updateDense(rows, lo);
    // The rare rest of a state adds through add(): the second windows opened before the view of the ids is taken.
    if (rests?.some((r) => r !== null && r !== undefined)) this.opened();
    const groupOf = batch.ids;
    for (let i = 0; i < n; i++) {
      const r = rests?.[i] as number[] | null | undefined;
      if (r === null || r === undefined) continue;
      this.reserve(r.length);
      for (const p of r) this.add(groupOf[i] as number, p);
    }
  }

  /**
   * Group g's sum, correctly rounded. A first window alone whose two upper chunks make one exact
   * integer (hi·2^32 + mid below 2^53) rounds as that integer's part plus `lo`'s: one IEEE
   * addition of two exact values, so no ExactSum.
   */
  private value(g: number): number {
    return this.asPair(g) ? (pair[0] as number) + (pair[1] as number) : this.exact(g).value();
  }

  /** Whether group g's sum is two exact doubles (see value), then put in `pair`. */
  private asPair(g: number): boolean {
    return windowPair(this.first.cells.array, g, !this.second?.has(g) && !this.spilled.has(g));
  }

  /** Group g's sum as exact partials (its windows rounded by `rounding`, unless it spilled). */
  private exact(g: number): ExactSum {
    const spilled = this.spilled.get(g);
    if (spilled !== undefined) return spilled;
    rounding.reset();
    this.first.moveTo(g, rounding);
    this.second?.moveTo(g, rounding);
    return rounding;
  }
  /**
   * Per group, its exact sum as Shewchuk partials in three columns: the largest (hi), the next
   * (lo, 0 when none), and a list of the others (null when none, as it is for nearly every
   * group), then (avg) the count. Fixed-width columns encode without a per-group array.
   */
  states(groups: number): unknown[][] {
    this.grow(groups);
    this.settle(true);
    const counts = this.count.all(groups);
    const hi = new Float64Array(groups);
    const lo = new Float64Array(groups);
    const rest: (number[] | null)[] = new Array(groups).fill(null);
    const first = this.first.cells.array;
    const whole = this.whole?.array;
    for (let g = 0; g < groups; g++) {
      if (counts[g] === 0) continue;
      const sum = this.wholeSum(first, whole, g);
      if (sum !== undefined) {
        hi[g] = sum;
        continue;
      }
      if (!this.asPair(g)) {
        this.exact(g).writeState(g, hi, lo, rest);
        continue;
      }
      // The pair's sum as its rounding and that rounding's error (Knuth's TwoSum): exact partials.
      const a = pair[0] as number;
      const b = pair[1] as number;
      const s = a + b;
      const bb = s - a;
      hi[g] = s;
      lo[g] = a - (s - bb) + (b - bb);
    }
    const sums = [nullWhereEmpty(hi, counts), lo as unknown as unknown[], rest];
    return this.avg ? [...sums, counts as unknown as unknown[]] : sums;
  }
  results(groups: number): unknown[] {
    this.grow(groups);
    this.settle(true);
    const counts = this.count.all(groups);
    const out = new Float64Array(groups);
    // The heap's views read once, not per group (nearly every group rounds as its pair, or has only whole values).
    const first = this.first.cells.array;
    const second = this.second?.cells.array;
    const whole = this.whole?.array;
    const spilled = this.spilled.size > 0;
    for (let g = 0; g < groups; g++) {
      const n = counts[g] as number;
      if (n === 0) continue;
      const alone = (second === undefined || Number.isNaN(second[g * WINDOW + SCALE] as number)) && !(spilled && this.spilled.has(g));
      const sum = this.wholeSum(first, whole, g) ?? (windowPair(first, g, alone) ? (pair[0] as number) + (pair[1] as number) : this.exact(g).value());
      out[g] = this.avg ? sum / n : sum;
    }
    return nullWhereEmpty(out, counts);
  }
  free(): void {
    this.first.cells.free();
    this.second?.cells.free();
    this.whole?.free();
    this.count.free();
  }
}

/** One value per group, folded by `keep(old, new)`; `has` tells an unset group from a kept null. */
abstract class ValueAcc implements GroupedAccumulator {
  protected readonly values: unknown[] = [];
  protected readonly has: boolean[] = [];
  private grow(groups: number): void {
    ensureList(this.values, groups, () => null);
    ensureList(this.has, groups, () => false);
  }
  protected abstract fold(g: number, v: unknown): void;
  update({ ids, n }: GroupBatch, values: readonly unknown[] | null, groups: number): void {
    this.grow(groups);
    const vs = values as readonly unknown[];
    for (let i = 0; i < n; i++) this.fold(ids[i] as number, vs[i] ?? null);
  }
  abstract merge(batch: GroupBatch, states: readonly (readonly unknown[])[], groups: number): void;
  protected mergeGrow(groups: number): void {
    this.grow(groups);
  }
  abstract states(groups: number): unknown[][];
  results(groups: number): unknown[] {
    this.grow(groups);
    return this.values.slice(0, groups);
  }
}

class MinMaxAcc extends ValueAcc {
  constructor(private readonly sign: 1 | -1) {
    super();
  }
  protected fold(g: number, v: unknown): void {
    if (v === null) return;
    const cur = this.values[g];
    if (cur === null || this.sign * compareValues(v, cur) < 0) this.values[g] = v;
  }
  merge(batch: GroupBatch, states: readonly (readonly unknown[])[], groups: number): void {
    this.mergeGrow(groups);
    const { ids, n: rows } = batch;
    const s = states[0] as readonly unknown[];
    for (let i = 0; i < rows; i++) this.fold(ids[i] as number, s[i] ?? null);
  }
  states(groups: number): unknown[][] {
    return [this.results(groups)];
  }
}

/**
 * min and max of int32 and float64: each group's best value as a float64 in the folds' heap, with
 * a byte marking groups that have one, folded by WebAssembly (folds.minMax) in MinMaxAcc's order.
 */
class NumericMinMaxAcc implements GroupedAccumulator {
  private readonly best = new HeapFloats(16);
  private readonly seen = new HeapBytes(16);
  constructor(
    private readonly max: boolean,
    private readonly ints: boolean,
  ) {}

  update(rows: GroupBatch, values: readonly unknown[] | null, groups: number): void {
    this.best.grow(groups);
    this.seen.grow(groups);
    const vs = values as readonly unknown[];
    const typed = this.ints ? vs instanceof Int32Array : vs instanceof Float64Array;
    if (typed && isDense(vs)) {
      this.fold(rows, toHeap(Scratch.Values, vs as unknown as Int32Array | Float64Array, rows.n), this.ints);
      return;
    }
    // Nulls (or a column of another representation): the rows with a value, as float64s.
    const [kept, keptValues] = nonNullRows(rows, vs, () => {});
    this.fold(kept, toHeap(Scratch.Values, keptValues, kept.n), false);
  }

  private fold(rows: GroupBatch, values: number, ints: boolean): void {
    folds.minMax(rows.at, values, ints ? 1 : 0, rows.n, this.best.at, this.seen.at, this.max ? 1 : 0);
  }

  merge(batch: GroupBatch, states: readonly (readonly unknown[])[], groups: number): void {
    this.update(batch, states[0] as readonly unknown[], groups);
  }

  states(groups: number): unknown[][] {
    return [this.results(groups)];
  }

  results(groups: number): unknown[] {
    this.best.grow(groups);
    this.seen.grow(groups);
    const best = this.best.array.subarray(0, groups);
    const seen = this.seen.array;
    const out = this.ints ? Int32Array.from(best) : best.slice();
    if (seen.subarray(0, groups).includes(0)) return Array.from(out, (v, g) => (seen[g] === 0 ? null : v));
    return out as unknown as unknown[];
  }

  free(): void {
    this.best.free();
    this.seen.free();
  }
}

/** first/last row's value in input order, null included (Spark's default ignoreNulls = false). */
class FirstLastAcc extends ValueAcc {
  constructor(private readonly last: boolean) {
    super();
  }
  protected fold(g: number, v: unknown): void {
    if (this.last || !this.has[g]) {
      this.values[g] = v;
      this.has[g] = true;
    }
  }
  merge(batch: GroupBatch, states: readonly (readonly unknown[])[], groups: number): void {
    this.mergeGrow(groups);
    const { ids, n: rows } = batch;
    const vs = states[0] as readonly unknown[];
    const has = states[1] as readonly unknown[];
    for (let i = 0; i < rows; i++) if (has[i] === true) this.fold(ids[i] as number, vs[i] ?? null);
  }
  states(groups: number): unknown[][] {
    const values = this.results(groups);
    return [values, this.has.slice(0, groups)];
  }
}

/** Sample standard deviation; keeps the values so the result does not depend on their order. */
class StddevAcc implements GroupedAccumulator {
  private readonly values: number[][] = [];
  update({ ids, n }: GroupBatch, values: readonly unknown[] | null, groups: number): void {
    ensureList(this.values, groups, () => []);
    const vs = values as readonly unknown[];
    for (let i = 0; i < n; i++) {
      const v = vs[i];
      if (v !== null && v !== undefined) (this.values[ids[i] as number] as number[]).push(Number(v));
    }
  }
  merge(batch: GroupBatch, states: readonly (readonly unknown[])[], groups: number): void {
    ensureList(this.values, groups, () => []);
    const { ids, n: rows } = batch;
    const s = states[0] as readonly unknown[];
    for (let i = 0; i < rows; i++) {
      const into = this.values[ids[i] as number] as number[];
      for (const v of (s[i] as number[] | null) ?? []) into.push(v);
    }
  }
  states(groups: number): unknown[][] {
    ensureList(this.values, groups, () => []);
    return [this.values.slice(0, groups)];
  }
  results(groups: number): unknown[] {
    ensureList(this.values, groups, () => []);
    return this.values.slice(0, groups).map(stddev);
  }
}

function stddev(values: readonly number[]): number | null {
  const n = values.length;
  if (n < 2) return null;
  const sum = new ExactSum();
  for (const v of values) sum.add(v);
  const mean = sum.value() / n;
  const sq = new ExactSum();
  for (const v of values) sq.add((v - mean) * (v - mean));
  return Math.sqrt(sq.value() / (n - 1));
}

/**
 * Whether the accumulator of `a` folds a `typedWithNulls` column (see columns.ts's validityOf):
 * counts of any column, and sums, averages, minimums and maximums of int32 and float64 ones.
 */
export function foldsTypedWithNulls(a: PhysicalAggregate): boolean {
  switch (a.fn) {
    case "count":
      return true;
    case "sum":
    case "avg":
    case "min":
    case "max":
      return a.argType === "int32" || a.argType === "float64";
    default:
      return false;
  }
}

/**
 * The accumulator of `a`. With `rows`, shared by an aggregation's accumulators, the caller adds
 * each batch's group ids to it before their `update`s; without, the accumulator counts its own.
 */
export function createAccumulator(a: PhysicalAggregate, rows?: GroupRows): GroupedAccumulator {
  switch (a.fn) {
    case "count":
      return new CountAcc(a.arg === undefined, rows);
    case "count_distinct":
      return new CountDistinctAcc();
    case "sum":
    case "avg":
      return a.argType === "int32" || a.argType === "int64" ? new IntSumAcc(a.argType === "int64", a.fn === "avg", rows) : new FloatSumAcc(a.fn === "avg", rows);
    case "min":
    case "max":
      if (a.argType === "int32" || a.argType === "float64") return new NumericMinMaxAcc(a.fn === "max", a.argType === "int32");
      return new MinMaxAcc(a.fn === "min" ? 1 : -1);
    case "first":
      return new FirstLastAcc(false);
    case "last":
      return new FirstLastAcc(true);
    case "stddev":
      return new StddevAcc();
  }
}
