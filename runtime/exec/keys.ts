/**
 * Keys for grouping, distinct, joins and hash partitioning. Two values are the same key when
 * they are `===`, except that nulls group together, NaN groups with NaN and -0 with 0 (Spark's
 * normalization of floating keys).
 */
import { utf8Dictionary } from "./utf8-dictionary.ts";

/** A value usable as a `Map` key with the grouping semantics above (Map uses SameValueZero). */
export function normalizeKey(v: unknown): unknown {
  return v === undefined ? null : v;
}

/** The text hashRow hashes for a value it does not hash in place (not a string, not an int32). */
function encodeOne(v: unknown): string {
  if (v === null || v === undefined) return "\u0001";
  switch (typeof v) {
    case "number":
      return v === 0 ? "n0" : `n${v}`;
    case "bigint":
      return `b${v}`;
    case "boolean":
      return v ? "T" : "F";
    default:
      return `?${String(v)}`;
  }
}

/**
 * Dense ids (0, 1, 2, … in first-added order) for (a, b) pairs of non-negative ints: an
 * open-addressing table over typed arrays, so adding or finding a pair allocates nothing.
 */
class PairIndex {
  private mask = 1023;
  private slots = new Int32Array(1024).fill(-1);
  private a: Int32Array = new Int32Array(512);
  private b: Int32Array = new Int32Array(512);
  size = 0;

  private static hash(a: number, b: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b);
    h ^= h >>> 15;
    return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 13);
  }

  find(a: number, b: number): number {
    for (let s = PairIndex.hash(a, b) & this.mask; ; s = (s + 1) & this.mask) {
      const id = this.slots[s] as number;
      if (id < 0) return -1;
      if (this.a[id] === a && this.b[id] === b) return id;
    }
  }

  add(a: number, b: number): number {
    let s = PairIndex.hash(a, b) & this.mask;
    for (; ; s = (s + 1) & this.mask) {
      const id = this.slots[s] as number;
      if (id < 0) break;
      if (this.a[id] === a && this.b[id] === b) return id;
    }
    const id = this.size++;
    if (id === this.a.length) {
      this.a = grownInt32(this.a, id + 1);
      this.b = grownInt32(this.b, id + 1);
    }
    this.a[id] = a;
    this.b[id] = b;
    this.slots[s] = id;
    // At half full, double the slots and re-place every id (ids never change).
    if (this.size * 2 > this.mask) {
      this.mask = this.mask * 2 + 1;
      this.slots = new Int32Array(this.mask + 1).fill(-1);
      for (let k = 0; k < this.size; k++) {
        let t = PairIndex.hash(this.a[k] as number, this.b[k] as number) & this.mask;
        while ((this.slots[t] as number) >= 0) t = (t + 1) & this.mask;
        this.slots[t] = k;
      }
    }
    return id;
  }
}

/** `a`'s values in an Int32Array of at least `n` slots (at least doubled, so appends stay amortised O(1)). */
export function grownInt32(a: Int32Array, n: number): Int32Array {
  const out = new Int32Array(Math.max(n, a.length * 2));
  out.set(a);
  return out;
}

/**
 * Dense ids for the keys of rows over several columns, numbered in first-added order (so a
 * group's id is its rank by first appearance). Each column's values get codes from a Map
 * (SameValueZero, the grouping semantics above, with undefined as null); a multi-column key
 * folds the codes pairwise through PairIndexes. Rows are added and looked up without
 * allocating per row, and one index serves both sides of a join: `find` on the probe side.
 */
export class KeyIndex {
  private readonly codes: KeyColumn[];
  private readonly pairs: PairIndex[];
  /** With no key columns every row has the one empty key: whether a row was added. */
  private addedEmpty = false;

  constructor(private readonly width: number) {
    this.codes = Array.from({ length: Math.max(1, width) }, () => new KeyColumn());
    this.pairs = Array.from({ length: Math.max(0, width - 1) }, () => new PairIndex());
  }

  /** How many distinct keys were added. */
  get size(): number {
    if (this.width === 0) return this.addedEmpty ? 1 : 0;
    const last = this.pairs[this.pairs.length - 1];
    return last ? last.size : (this.codes[0] as KeyColumn).values.size;
  }

  /** The id of row `i`'s key, added if new (ids are 0, 1, 2, … in order of first addition). */
  add(columns: readonly (readonly unknown[])[], i: number): number {
    if (this.width === 0) {
      this.addedEmpty = true;
      return 0;
    }
    let id = code((this.codes[0] as KeyColumn).values, (columns[0] as readonly unknown[])[i]);
    for (let k = 1; k < columns.length; k++) {
      id = (this.pairs[k - 1] as PairIndex).add(id, code((this.codes[k] as KeyColumn).values, (columns[k] as readonly unknown[])[i]));
    }
    return id;
  }

  /**
   * The ids of rows 0 … n-1 (as `add` row by row would give them), valid until the next call.
   * Column-wise: each column's codes come first, from its dictionary or a small int range when
   * it has one, so a row costs a few typed-array reads instead of a Map lookup per column.
   */
  addRows(columns: readonly (readonly unknown[])[], n: number): Int32Array {
    return this.rows(columns, n, true);
  }

  /** The ids of rows 0 … n-1 over columns of the same types as those added (-1 for a key never added), valid until the next call. */
  findRows(columns: readonly (readonly unknown[])[], n: number): Int32Array {
    return this.rows(columns, n, false);
  }

  private rows(columns: readonly (readonly unknown[])[], n: number, adding: boolean): Int32Array {
    if (this.width === 0) {
      if (adding && n > 0) this.addedEmpty = true;
      return new Int32Array(n).fill(this.addedEmpty ? 0 : -1);
    }
    const codesOf = (k: number) => (this.codes[k] as KeyColumn).rows(columns[k] as readonly unknown[], n, adding);
    const ids = codesOf(0);
    for (let k = 1; k < columns.length; k++) {
      const codes = codesOf(k);
      const pairs = this.pairs[k - 1] as PairIndex;
      for (let i = 0; i < n; i++) {
        const a = ids[i] as number;
        const b = codes[i] as number;
        ids[i] = adding ? pairs.add(a, b) : a < 0 || b < 0 ? -1 : pairs.find(a, b);
      }
    }
    return ids;
  }
}

/** Int key columns whose values span at most this many integers are coded through an array. */
const MAX_INT_RANGE = 1 << 20;

interface DictionaryCodes {
  readonly codes: Int32Array;
  readonly size: number;
  readonly indexSize: number;
}

/**
 * The codes of one key column's values: a Map of every value, plus what lets a batch's rows skip
 * it. A dictionary-decoded column is coded per distinct value, each once per dictionary (a
 * stream's batches share one); an Int32Array column over a small range reads an array indexed
 * by value, kept across batches while the range seen stays within MAX_INT_RANGE.
 */
class KeyColumn {
  readonly values = new Map<unknown, number>();
  /** Per dictionary (its shared `values`), the key codes of its first `size` values, when adding and when finding (with `indexSize` values in the index). */
  private readonly remaps = new WeakMap<readonly unknown[], DictionaryCodes>();
  private readonly findRemaps = new WeakMap<readonly unknown[], DictionaryCodes>();
  /** Codes by value - intBase (-2: not coded yet), over the int range seen so far. */
  private intCodes = new Int32Array(0);
  private intBase = 0;

  /** Where `rows` writes its codes, reused (allocating a batch's array each time cost more than coding an int key). */
  private scratch = new Int32Array(0);

  /**
   * The code of each of rows 0 … n-1, adding new values in row order (or -1 for values not
   * there, when not `adding`), in an array that the next call overwrites.
   */
  rows(column: readonly unknown[], n: number, adding: boolean): Int32Array {
    const codes = this.values;
    if (this.scratch.length < n) this.scratch = new Int32Array(Math.max(n, this.scratch.length * 2));
    const out = this.scratch.subarray(0, n);
    const dict = utf8Dictionary(column);
    if (dict !== undefined) {
      // The dictionary lists values in order of first appearance (a stream's later batches
      // only append), so new codes keep row order.
      const size = dict.values.length;
      // A find's -1 holds only while nothing is added: its remaps are kept apart, for one index size.
      const remaps = adding ? this.remaps : this.findRemaps;
      const kept = remaps.get(dict.values);
      const known = kept !== undefined && (adding || kept.indexSize === codes.size) ? kept : undefined;
      let remap = known?.codes ?? new Int32Array(size);
      const from = known?.size ?? 0;
      if (size > remap.length) remap = grownInt32(remap, size);
      for (let d = from; d < size; d++) remap[d] = adding ? code(codes, dict.values[d]) : (codes.get(dict.values[d]) ?? -1);
      remaps.set(dict.values, { codes: remap, size, indexSize: codes.size });
      const rowCodes = dict.codes;
      for (let i = 0; i < n; i++) out[i] = remap[rowCodes[i] as number] as number;
      return out;
    }
    if (column instanceof Int32Array && n > 0) {
      if (adding) return this.addInts(column, n, out);
      let min = column[0] as number;
      let max = min;
      for (let i = 1; i < n; i++) {
        const v = column[i] as number;
        if (v < min) min = v;
        else if (v > max) max = v;
      }
      // A find's table is this batch's (its -1s would go stale once a later add codes the value).
      if (max - min < MAX_INT_RANGE) {
        const table = new Int32Array(max - min + 1).fill(-2);
        for (let i = 0; i < n; i++) {
          const v = column[i] as number;
          let c = table[v - min] as number;
          if (c === -2) {
            c = codes.get(v) ?? -1;
            table[v - min] = c;
          }
          out[i] = c;
        }
        return out;
      }
    }
    for (let i = 0; i < n; i++) out[i] = adding ? code(codes, column[i]) : (codes.get(normalizeKey(column[i])) ?? -1);
    return out;
  }

  /**
   * Adds an int column's rows through the kept table of codes by value: one read a row while the
   * values stay in its range. A value outside it widens the table to the rest of the batch's
   * range, unless that would span MAX_INT_RANGE values; then the rest go through the Map.
   */
  private addInts(column: Int32Array, n: number, out: Int32Array): Int32Array {
    let i = 0;
    while (i < n) {
      const table = this.intCodes;
      const base = this.intBase;
      const size = table.length;
      for (; i < n; i++) {
        const v = column[i] as number;
        const at = v - base;
        if (at < 0 || at >= size) break;
        let c = table[at] as number;
        if (c === -2) {
          c = code(this.values, v);
          table[at] = c;
        }
        out[i] = c;
      }
      if (i < n && !this.widen(column, i, n)) {
        for (; i < n; i++) out[i] = code(this.values, column[i]);
      }
    }
    return out;
  }

  /** Grows the kept int table to cover rows `from` … n-1 too; false when that would span MAX_INT_RANGE values. */
  private widen(column: Int32Array, from: number, n: number): boolean {
    let lo = column[from] as number;
    let hi = lo;
    for (let i = from + 1; i < n; i++) {
      const v = column[i] as number;
      if (v < lo) lo = v;
      else if (v > hi) hi = v;
    }
    const base = this.intBase;
    const had = this.intCodes.length;
    if (had > 0) {
      lo = Math.min(lo, base);
      hi = Math.max(hi, base + had - 1);
    }
    if (hi - lo >= MAX_INT_RANGE) return false;
    const grown = new Int32Array(hi - lo + 1).fill(-2);
    if (had > 0) grown.set(this.intCodes, base - lo);
    this.intBase = lo;
    this.intCodes = grown;
    return true;
  }
}

function code(codes: Map<unknown, number>, v: unknown): number {
  const k = normalizeKey(v);
  let c = codes.get(k);
  if (c === undefined) {
    c = codes.size;
    codes.set(k, c);
  }
  return c;
}

export function hasNull(columns: readonly (readonly unknown[])[], i: number): boolean {
  for (const c of columns) if (c[i] === null || c[i] === undefined) return true;
  return false;
}

/**
 * FNV-1a over the key's values: the same key gives the same partition on both sides of a join.
 * Strings and int32-range numbers are hashed in place (nothing allocated per row); other
 * numbers and bigints through their string form, which equal keys share (0 and -0 as 0).
 */
export function hashRow(columns: readonly (readonly unknown[])[], i: number): number {
  let h = 0x811c9dc5;
  for (const c of columns) {
    const v = c[i];
    if (typeof v === "string") {
      h = Math.imul(h ^ 0x73, 0x01000193);
      for (let k = 0; k < v.length; k++) h = Math.imul(h ^ v.charCodeAt(k), 0x01000193);
    } else if (typeof v === "number" && (v | 0) === v) {
      h = Math.imul(h ^ 0x6e, 0x01000193);
      h = Math.imul(h ^ (v & 0xffff), 0x01000193);
      h = Math.imul(h ^ (v >>> 16), 0x01000193);
    } else {
      const s = encodeOne(v);
      for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
    }
    h = Math.imul(h ^ 0x7c, 0x01000193);
  }
  return h >>> 0;
}

/** Strings in code point order (UTF-8 byte order, as Spark compares), not UTF-16 unit order. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    let x = a.charCodeAt(k);
    let y = b.charCodeAt(k);
    if (x !== y) {
      // Surrogates (D800–DFFF) encode code points above FFFF: move them above E000–FFFF.
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Spark's order of non-null values: NaN above every number, -0 equal to 0, false before true. */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === "string") return compareStrings(a, b as string);
  if (typeof a === "number") {
    const an = Number.isNaN(a);
    const bn = Number.isNaN(b as number);
    if (an || bn) return an && bn ? 0 : an ? 1 : -1;
    return a < (b as number) ? -1 : a > (b as number) ? 1 : 0;
  }
  if (typeof a === "bigint") return a < (b as bigint) ? -1 : a > (b as bigint) ? 1 : 0;
  if (typeof a === "boolean") return a === b ? 0 : a ? 1 : -1;
  return 0;
}
