/**
 * Keys for grouping, distinct, joins and hash partitioning. Two values are the same key when
 * they are `===`, except that nulls group together, NaN groups with NaN and -0 with 0 (Spark's
 * normalization of floating keys).
 */
import { utf8Dictionary } from "./utf8-dictionary.ts";
import { folds, HeapInts, Scratch, toHeap } from "./wasm/heap.ts";

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
 * Dense ids (0, 1, 2, … in first-added order) for tuples of `width` non-negative int codes: an
 * open-addressing table with the tuples stored back to back, so a row costs one probe whatever
 * the key's width, and adding or finding allocates nothing. It lives in the folds' heap, where
 * folds.tupleRows codes a batch; this grows the table when that stops at half full.
 */
class TupleIndex {
  private mask = 1023;
  private slots = new HeapInts(1024, -1);
  /** Room for `capacity` ids: their tuples (`width` codes each) and hashes. */
  private capacity = 513;
  private readonly tuples: HeapInts;
  private readonly hashes = new HeapInts(this.capacity);
  /** [how many ids there are] */
  private readonly state = new HeapInts(1);
  /** The byte offsets of a batch's code columns. */
  private readonly columns: HeapInts;

  constructor(private readonly width: number) {
    this.tuples = new HeapInts(this.capacity * width);
    this.columns = new HeapInts(width);
  }

  get size(): number {
    return this.state.array[0] as number;
  }

  /**
   * The ids of rows 0 … n-1 of the code columns (views of the heap) into `out` (which may be
   * `codes[0]`): new tuples added when `adding`, else -1 for a tuple never added or a row with
   * a -1 code.
   */
  rows(codes: readonly Int32Array[], n: number, adding: boolean, out: Int32Array): void {
    this.columns.array.set(codes.map((c) => c.byteOffset));
    const outAt = out.byteOffset;
    for (let i = 0; i < n; ) {
      i = folds.tupleRows(this.columns.at, this.width, i, n, adding ? 1 : 0, this.slots.at, this.mask, this.tuples.at, this.hashes.at, this.state.at, outAt);
      if (i < n) this.grow();
    }
  }

  /** Doubles the slots and re-places every id (ids never change), with room for ids to half fill them. */
  private grow(): void {
    this.mask = this.mask * 2 + 1;
    this.capacity = (this.mask + 1) / 2 + 1;
    this.tuples.grow(this.capacity * this.width);
    this.hashes.grow(this.capacity);
    this.slots.free();
    this.slots = new HeapInts(this.mask + 1, -1);
    folds.placeIds(this.hashes.at, this.size, this.slots.at, this.mask);
  }

  free(): void {
    for (const a of [this.slots, this.tuples, this.hashes, this.state, this.columns]) a.free();
  }
}

/** A PairIndex's table takes at most this many slots (1 MiB), so that it stays in the cache. */
const MAX_PAIR_SLOTS = 1 << 18;

/** How many bits codes 0 … size-1 take (at least 4, so that small ranges do not re-lay the table often). */
const codeBits = (size: number): number => Math.max(4, 32 - Math.clz32(Math.max(1, size - 1)));

/**
 * Dense ids (in first-added order, as TupleIndex gives them) for pairs of non-negative int codes
 * while both code ranges are small: a direct table whose slot (a << shift) | b holds the pair's
 * id, so a row costs one load where a tuple costs a hash and a probe. The pairs are kept in id
 * order, so that a TupleIndex fed them in that order gives each the same id once the ranges
 * outgrow MAX_PAIR_SLOTS.
 */
class PairIndex {
  private bitsA = 0;
  private shift = 0;
  private slots = new HeapInts(1, -1);
  /** The pairs' codes by id. */
  readonly firsts = new HeapInts(64);
  readonly seconds = new HeapInts(64);
  /** [how many ids there are] */
  private readonly state = new HeapInts(1);

  get size(): number {
    return this.state.array[0] as number;
  }

  /**
   * Makes room for the pairs of codes below `sizeA` and `sizeB`, and for `n` new pairs when
   * `adding`: false when their table would take more than MAX_PAIR_SLOTS slots. May grow the
   * heap: take views of it after.
   */
  reserve(sizeA: number, sizeB: number, n: number, adding: boolean): boolean {
    const bitsA = Math.max(this.bitsA, codeBits(sizeA));
    const bitsB = Math.max(this.shift, codeBits(sizeB));
    if (2 ** (bitsA + bitsB) > MAX_PAIR_SLOTS) return false;
    if (bitsA !== this.bitsA || bitsB !== this.shift) this.layOut(bitsA, bitsB);
    if (adding) {
      const room = Math.min(this.size + n, this.slots.length);
      this.firsts.grow(room);
      this.seconds.grow(room);
    }
    return true;
  }

  /** A table of 2^(bitsA + bitsB) slots, every pair placed again. */
  private layOut(bitsA: number, bitsB: number): void {
    this.bitsA = bitsA;
    this.shift = bitsB;
    this.slots.free();
    this.slots = new HeapInts(2 ** (bitsA + bitsB), -1);
    const slots = this.slots.array;
    const firsts = this.firsts.array;
    const seconds = this.seconds.array;
    for (let id = 0; id < this.size; id++) slots[((firsts[id] as number) << bitsB) | (seconds[id] as number)] = id;
  }

  /** The ids of rows 0 … n-1 of the code columns (views of the heap, reserved for) into `out` (which may be `a`); see TupleIndex.rows. */
  rows(a: Int32Array, b: Int32Array, n: number, adding: boolean, out: Int32Array): void {
    folds.pairRows(a.byteOffset, b.byteOffset, n, adding ? 1 : 0, this.slots.at, this.shift, this.firsts.at, this.seconds.at, this.state.at, out.byteOffset);
  }

  free(): void {
    for (const a of [this.slots, this.firsts, this.seconds, this.state]) a.free();
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
 * group's id is its rank by first appearance). Each column's values get codes (KeyColumn:
 * SameValueZero, the grouping semantics above, with undefined as null); a multi-column key's
 * codes make a tuple, numbered by a TupleIndex. Rows are added and looked up column-wise without
 * allocating per row, and one index serves both sides of a join: `findRows` on the probe side.
 */
export class KeyIndex {
  private readonly codes: KeyColumn[];
  /** Two columns' keys, while their code ranges are small; then `tuples`. */
  private pairs: PairIndex | undefined;
  private tuples: TupleIndex | undefined;
  /** With no key columns every row has the one empty key: whether a row was added. */
  private addedEmpty = false;

  constructor(private readonly width: number) {
    this.codes = Array.from({ length: Math.max(1, width) }, () => new KeyColumn());
    if (width === 2) this.pairs = new PairIndex();
    else if (width > 1) this.tuples = new TupleIndex(width);
  }

  /** Gives the index's memory in the folds' heap back; the index must not be used after. */
  free(): void {
    for (const c of this.codes) c.free();
    this.pairs?.free();
    this.tuples?.free();
  }

  /** How many distinct keys were added. */
  get size(): number {
    if (this.width === 0) return this.addedEmpty ? 1 : 0;
    return (this.pairs ?? this.tuples ?? (this.codes[0] as KeyColumn)).size;
  }

  /**
   * The ids of rows 0 … n-1, new keys added (ids 0, 1, 2, … in row order of first addition),
   * valid until the next call. Column-wise: each column's codes come first, from its dictionary
   * or a small int range when it has one, so a row costs a few typed-array reads instead of a
   * Map lookup per column.
   */
  addRows(columns: readonly (readonly unknown[])[], n: number): Int32Array {
    return this.rows(columns, n, true);
  }

  /** The ids of rows 0 … n-1 over columns of the same types as those added (-1 for a key never added), valid until the next call. */
  findRows(columns: readonly (readonly unknown[])[], n: number): Int32Array {
    return this.rows(columns, n, false);
  }

  /** Moves the pairs to a TupleIndex, added in id order so that each keeps its id. */
  private pairsToTuples(): void {
    const pairs = this.pairs as PairIndex;
    const tuples = new TupleIndex(2);
    const ids = new HeapInts(pairs.size);
    tuples.rows([pairs.firsts.array.subarray(0, pairs.size), pairs.seconds.array.subarray(0, pairs.size)], pairs.size, true, ids.array);
    ids.free();
    pairs.free();
    this.pairs = undefined;
    this.tuples = tuples;
  }

  private rows(columns: readonly (readonly unknown[])[], n: number, adding: boolean): Int32Array {
    if (this.width === 0) {
      if (adding && n > 0) this.addedEmpty = true;
      return new Int32Array(n).fill(this.addedEmpty ? 0 : -1);
    }
    this.codes.forEach((c, k) => {
      c.rows(columns[k] as readonly unknown[], n, adding);
    });
    if (this.pairs && !this.pairs.reserve((this.codes[0] as KeyColumn).size, (this.codes[1] as KeyColumn).size, n, adding)) this.pairsToTuples();
    // Views taken once every column is coded: coding one may grow the heap, detaching older views.
    const codes = this.codes.map((c) => c.written(n));
    if (this.pairs) this.pairs.rows(codes[0] as Int32Array, codes[1] as Int32Array, n, adding, codes[0] as Int32Array);
    else this.tuples?.rows(codes, n, adding, codes[0] as Int32Array);
    // Growing the tuples' table may have grown the heap: a fresh view.
    return (this.codes[0] as KeyColumn).written(n);
  }
}

/** Int key columns whose values span at most this many integers are coded through an array. */
const MAX_INT_RANGE = 1 << 20;
/** A wider range (up to this many integers) is coded through an array while it spans at most INT_RANGE_PER_ROW integers per row added (ids of a large join side). */
const MAX_SPARSE_INT_RANGE = 1 << 23;
const INT_RANGE_PER_ROW = 32;

interface DictionaryCodes {
  readonly codes: Int32Array;
  readonly size: number;
  readonly indexSize: number;
}

/**
 * The codes of one key column's values (0, 1, 2, … in order of first addition). An Int32Array
 * column over a small range reads an array indexed by value, kept across batches while the range
 * seen stays within MAX_INT_RANGE; other values get codes from a Map (which then takes the int
 * table's values too, so each value has one code). A dictionary-decoded column is coded per
 * distinct value, each once per dictionary (a stream's batches share one).
 */
class KeyColumn {
  /** How many codes were given. */
  size = 0;
  /** The codes of values coded outside the int table; of every value once `mapped`. */
  private readonly values = new Map<unknown, number>();
  /** Per dictionary (its shared `values`), the key codes of its first `size` values, when adding and when finding (with `indexSize` values in the index). */
  private readonly remaps = new WeakMap<readonly unknown[], DictionaryCodes>();
  private readonly findRemaps = new WeakMap<readonly unknown[], DictionaryCodes>();
  /** Codes by value - intBase (-2: not coded yet), over the int range seen so far, in the folds' heap. */
  private intCodes = new HeapInts(0);
  private intBase = 0;
  /** Rows of Int32Array columns added, which bounds how wide the int table may grow. */
  private rowsAdded = 0;
  /** Whether the Map holds every value coded (else every value is in the int table or `soleDictionary`, and the Map is empty). */
  private mapped = false;
  /** While every value coded came from one dictionary (a stream's batches share one), coded in its order: its values. */
  private soleDictionary: readonly unknown[] | undefined;

  /** Where `rows` writes its codes, reused (allocating a batch's array each time cost more than coding an int key). */
  private readonly codes = new HeapInts(0);

  free(): void {
    this.codes.free();
    this.intCodes.free();
  }

  /** The codes the last `rows(…, n, …)` wrote: a view of the folds' heap, detached when the heap grows. */
  written(n: number): Int32Array {
    return this.codes.array.subarray(0, n);
  }

  /**
   * Writes the code of each of rows 0 … n-1 (see `written`), adding new values in row order (or
   * -1 for values not there, when not `adding`), over the last call's codes.
   */
  rows(column: readonly unknown[], n: number, adding: boolean): void {
    this.codes.grow(n);
    if (column instanceof Int32Array && n > 0 && (adding || !this.mapped)) {
      const values = toHeap(Scratch.KeyValues, column, n);
      if (adding) this.addInts(column, values, n);
      else {
        const table = this.intCodes;
        folds.findInts(values, n, table.at, this.intBase, table.length, this.codes.at);
      }
      return;
    }
    const out = this.written(n);
    const dict = utf8Dictionary(column);
    if (dict !== undefined && adding && !this.mapped && (this.size === 0 || this.soleDictionary === dict.values)) {
      // Codes given in the dictionary's order are its entries' indexes: no Map, no remap.
      this.soleDictionary = dict.values;
      this.size = dict.values.length;
      out.set(dict.codes.subarray(0, n));
      return;
    }
    if (dict !== undefined) {
      // The dictionary lists values in order of first appearance (a stream's later batches
      // only append), so new codes keep row order.
      const size = dict.values.length;
      // A find's -1 holds only while nothing is added: its remaps are kept apart, for one index size.
      const remaps = adding ? this.remaps : this.findRemaps;
      const kept = remaps.get(dict.values);
      const known = kept !== undefined && (adding || kept.indexSize === this.size) ? kept : undefined;
      let remap = known?.codes ?? new Int32Array(size);
      const from = known?.size ?? 0;
      if (size > remap.length) remap = grownInt32(remap, size);
      for (let d = from; d < size; d++) remap[d] = adding ? this.code(dict.values[d]) : this.find(dict.values[d]);
      remaps.set(dict.values, { codes: remap, size, indexSize: this.size });
      const rowCodes = dict.codes;
      for (let i = 0; i < n; i++) out[i] = remap[rowCodes[i] as number] as number;
      return;
    }
    if (column instanceof Int32Array && n > 0) {
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
            c = this.find(v);
            table[v - min] = c;
          }
          out[i] = c;
        }
        return;
      }
    }
    for (let i = 0; i < n; i++) out[i] = adding ? this.code(column[i]) : this.find(column[i]);
  }

  /** The code of `v` through the Map, added if new. */
  private code(v: unknown): number {
    const values = this.map();
    const k = normalizeKey(v);
    let c = values.get(k);
    if (c === undefined) {
      c = this.size++;
      values.set(k, c);
    }
    return c;
  }

  /** The code of `v`, or -1 when it was never added. */
  private find(v: unknown): number {
    return this.map().get(normalizeKey(v)) ?? -1;
  }

  /** The Map of every value's code, taking the int table's values the first time it is needed. */
  private map(): Map<unknown, number> {
    if (!this.mapped) {
      this.mapped = true;
      const table = this.intCodes.array;
      for (let at = 0; at < table.length; at++) if ((table[at] as number) >= 0) this.values.set(this.intBase + at, table[at] as number);
      const sole = this.soleDictionary;
      for (let d = 0; sole !== undefined && d < this.size; d++) this.values.set(normalizeKey(sole[d]), d);
      this.soleDictionary = undefined;
    }
    return this.values;
  }

  /**
   * Adds an int column's rows (`values`, their byte offset in the heap) through the kept table of
   * codes by value: folds.codeInts codes the rows up to the first value outside the table or not
   * coded yet, which is coded here. A value outside the table widens it to the rest of the
   * batch's range, unless that would span MAX_INT_RANGE values; then the rest go through the Map.
   */
  private addInts(column: Int32Array, values: number, n: number): void {
    this.rowsAdded += n;
    let i = 0;
    while (i < n) {
      const table = this.intCodes;
      i = folds.codeInts(values, i, n, table.at, this.intBase, table.length, this.codes.at);
      if (i === n) return;
      const v = column[i] as number;
      const at = v - this.intBase;
      if (at >= 0 && at < table.length) {
        const c = this.mapped ? this.code(v) : this.size++;
        table.array[at] = c;
        this.codes.array[i] = c;
        i++;
      } else if (!this.widen(column, i, n)) {
        const out = this.codes.array;
        for (; i < n; i++) out[i] = this.code(column[i]);
      }
    }
  }

  /** Grows the kept int table to cover rows `from` … n-1 too; false when its range would be too wide (see MAX_INT_RANGE). */
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
    const span = hi - lo + 1;
    if (span > MAX_INT_RANGE && (span > MAX_SPARSE_INT_RANGE || span > INT_RANGE_PER_ROW * this.rowsAdded)) return false;
    const grown = new HeapInts(span, -2);
    if (had > 0) grown.array.set(this.intCodes.array, base - lo);
    this.intCodes.free();
    this.intBase = lo;
    this.intCodes = grown;
    return true;
  }
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
