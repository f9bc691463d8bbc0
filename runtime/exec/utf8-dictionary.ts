import * as arrow from "apache-arrow";
import { grownInt32 } from "./keys.ts";
import { folds, HeapBytes, HeapInts, intsAt, Scratch, scratchInts, toHeap } from "./wasm/heap.ts";

/**
 * A decoded utf8 column whose values repeat (group and join keys, categories): each distinct
 * value is one string, and every row has its value's code, so grouping maps codes instead
 * of hashing strings.
 */
export interface Utf8Dictionary {
  /** Distinct values (null included, when present) in order of first appearance; shared by the batches of one decoder, it may hold values of later batches. */
  readonly values: readonly (string | null)[];
  /** Per row, the index of its value in `values`. */
  readonly codes: Int32Array;
}

const dictionaries = new WeakMap<readonly unknown[], Utf8Dictionary>();

/** The dictionary a column was decoded with, if it was. */
export function utf8Dictionary(column: readonly unknown[]): Utf8Dictionary | undefined {
  return dictionaries.get(column);
}

/** Gives `out`, the concatenation of `parts`, their dictionary when they all share one (the batches of one stream). */
export function concatDictionaries(parts: readonly (readonly unknown[])[], out: readonly unknown[]): void {
  const dicts = parts.map((p) => dictionaries.get(p));
  const values = dicts[0]?.values;
  if (values === undefined || dicts.some((d) => d?.values !== values)) return;
  const codes = new Int32Array(out.length);
  let at = 0;
  for (const d of dicts as Utf8Dictionary[]) {
    codes.set(d.codes, at);
    at += d.codes.length;
  }
  dictionaries.set(out, { values, codes });
}

/**
 * At each power of two of rows from this one on, a column with more than 90% distinct values
 * so far is decoded plainly instead (ids and other unique strings gain nothing from a dictionary).
 * Late enough that a key with many values that each repeat (1e5 values over 1e7 rows) is seen
 * repeating.
 */
const PROBE_ROWS = 1 << 17;

function mostlyDistinct(row: number, distinct: number): boolean {
  return row >= PROBE_ROWS && (row & (row - 1)) === 0 && distinct * 10 > row * 9;
}

/** The next row after `row` at which mostlyDistinct may hold. */
function nextProbe(row: number): number {
  return row < PROBE_ROWS ? PROBE_ROWS : 2 ** (Math.floor(Math.log2(row)) + 1);
}

/** Chunks of fewer rows are looked up in JS (copying them into the heap costs more than it saves). */
const MIN_WASM_ROWS = 16;

const decoder = new TextDecoder();

/** Whether `data` is dictionary-encoded utf8 (indices of at most 32 bits into one dictionary chunk), which the decoder reads by index. */
export function isUtf8Dictionary(data: arrow.Data): boolean {
  const t = data.type as arrow.DataType;
  return arrow.DataType.isDictionary(t) && arrow.DataType.isUtf8(t.dictionary) && t.indices.bitWidth <= 32 && data.dictionary?.data.length === 1;
}

/**
 * Decodes the utf8 chunks of one column, batch after batch, through one dictionary: each
 * value's bytes are hashed and looked up in an open-addressing table of the distinct values
 * seen in any batch so far, so a repeated value allocates nothing and has the same code in
 * every batch (the batches' dictionaries share one growing `values` array). A dictionary-encoded
 * chunk (an in-memory table's, see dictionaryEncode) is read by index: each of its dictionary's
 * entries is looked up once, when a row first uses it. The table and the values' bytes live in
 * the folds' heap, where folds.lookupUtf8 looks up a chunk's rows without nulls; values it does
 * not find, and chunks with nulls, are looked up and added here.
 */
export class Utf8Decoder {
  private readonly values: (string | null)[] = [];
  private nullCode = -1;
  /** The distinct values' bytes, back to back; entry e spans starts[e] … starts[e + 1]. */
  private readonly pool = new HeapBytes(4096);
  private starts: Int32Array = new Int32Array(257);
  private mask = 1023;
  /** mask + 1 slots of four int32s: entry (-1: an empty slot; null is never in one), hash, start in the pool, length. */
  private slots = emptySlots(1024);
  private hashes: Int32Array = new Int32Array(256);
  private rows = 0;
  private plain = false;
  /** Per Arrow dictionary (the values of dictionary-encoded chunks), each entry's code in the folds' heap; -1 until a row uses it. */
  private readonly entryCodes = new WeakMap<arrow.Data, HeapInts>();
  /** The entryCodes tables, to free with the decoder. */
  private readonly entryTables: HeapInts[] = [];
  /** Where decodeIndices has one dictionary entry's code written. */
  private readonly entryCode = new Int32Array(1);

  /**
   * Decodes `chunks` (`length` rows) into `out`: their codes, and (unless `codesOnly`, when
   * `out` stays as it is) their strings, `out` allocated at their length. Returns false, leaving
   * `out` to be decoded plainly, once the rows so far are nearly all distinct (then for good).
   */
  decode(chunks: readonly arrow.Data[], out: unknown[], length: number, codesOnly = false): boolean {
    if (this.plain) return false;
    const codes = new Int32Array(length);
    const strings = codesOnly ? null : out;
    let row = 0;
    for (const data of chunks) {
      if (isUtf8Dictionary(data)) this.decodeIndices(data, codes, strings, row);
      else if (!this.decodeRows(data, 0, data.length, codes, strings, row, true)) return false;
      row += data.length;
    }
    dictionaries.set(out, { values: this.values, codes });
    return true;
  }

  /**
   * The rows of a dictionary-encoded chunk, to `codes` (and `out`, unless null) from `at` on.
   * Without nulls, folds.codeInts reads the codes of its int32 indices from the dictionary's
   * entry codes, stopping at an entry no row used before, which is looked up here.
   */
  private decodeIndices(data: arrow.Data, codes: Int32Array, out: unknown[] | null, at: number): void {
    const dictionary = (data.dictionary as arrow.Vector).data[0] as arrow.Data;
    let entries = this.entryCodes.get(dictionary);
    if (entries === undefined) {
      entries = new HeapInts(dictionary.length, -1);
      this.entryCodes.set(dictionary, entries);
      this.entryTables.push(entries);
    }
    const indices = data.values as Int32Array;
    const bitmap = validityBitmap(data);
    const values = this.values;
    const n = data.length;
    if (bitmap === null && indices instanceof Int32Array && n >= MIN_WASM_ROWS) {
      const indicesAt = toHeap(Scratch.Utf8Offsets, indices, n);
      const codesAt = scratchInts(Scratch.Utf8Codes, n);
      for (let i = 0; ; ) {
        i = folds.codeInts(indicesAt, i, n, entries.at, 0, entries.length, codesAt);
        if (i === n) break;
        const d = indices[i] as number;
        if (!(d >= 0 && d < dictionary.length)) throw new Error(`internal error: dictionary index ${d} outside a dictionary of ${dictionary.length}`);
        // Looked up before the view is taken: the lookup may grow the heap.
        const c = this.entryCodeOf(dictionary, d);
        entries.array[d] = c;
      }
      codes.set(intsAt(codesAt, n), at);
      if (out !== null) for (let i = 0; i < n; i++) out[at + i] = values[codes[at + i] as number];
    } else {
      let entryCodes = entries.array;
      for (let i = 0; i < n; i++) {
        let c: number;
        if (isNullAt(bitmap, data.offset + i)) c = this.nullValue();
        else {
          const d = indices[i] as number;
          c = entryCodes[d] as number;
          if (c < 0) {
            c = this.entryCodeOf(dictionary, d);
            // Looking the entry up may have grown the heap: a fresh view.
            entryCodes = entries.array;
            entryCodes[d] = c;
          }
        }
        codes[at + i] = c;
        if (out !== null) out[at + i] = values[c];
      }
    }
    this.rows += n;
  }

  /** The code of entry `d` of a dictionary chunk, added to the values if new. */
  private entryCodeOf(dictionary: arrow.Data, d: number): number {
    this.decodeRows(dictionary, d, d + 1, this.entryCode, null, 0, false);
    return this.entryCode[0] as number;
  }

  /** The code of null, adding it as a value the first time. */
  private nullValue(): number {
    if (this.nullCode < 0) {
      this.nullCode = this.values.length;
      this.values.push(null);
      this.starts = ensureInt32(this.starts, this.values.length + 1);
      this.starts[this.values.length] = this.starts[this.values.length - 1] as number;
      this.hashes = ensureInt32(this.hashes, this.values.length);
    }
    return this.nullCode;
  }

  /** Gives the table's memory in the folds' heap back; decoded columns stay valid, the decoder must not be used after. */
  free(): void {
    this.pool.free();
    this.slots.free();
    for (const t of this.entryTables) t.free();
  }

  /**
   * Rows `first` … `last - 1` of a plain utf8 chunk, to `codes` (and `out`, unless null) from `at`
   * on. With `probe`, returns false (for good) as soon as the rows so far are nearly all distinct.
   */
  private decodeRows(data: arrow.Data, first: number, last: number, codes: Int32Array, out: unknown[] | null, at: number, probe: boolean): boolean {
    const bitmap = validityBitmap(data);
    if (last - first >= MIN_WASM_ROWS) return this.lookupRows(data, bitmap, first, last, codes, out, at, probe);
    const values = this.values;
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    let i = first;
    try {
      for (; i < last; i++) {
        const row = at + i - first;
        if (probe && mostlyDistinct(this.rows + i, values.length)) {
          this.plain = true;
          return false;
        }
        const k = data.offset + i;
        const e = isNullAt(bitmap, k) ? this.nullValue() : this.entryOf(bytes, offsets[i] as number, offsets[i + 1] as number);
        codes[row] = e;
        if (out !== null) out[row] = values[e];
      }
    } finally {
      if (probe) this.rows += i - first;
    }
    return true;
  }

  /**
   * Rows of a chunk, as decodeRows: folds.lookupUtf8 finds the values already in the table. A
   * null row (a zero in `bitmap`) is looked up by whatever bytes its slot spans, then given the
   * null's code; one the table lacks is never added.
   */
  private lookupRows(
    data: arrow.Data,
    bitmap: Uint8Array | null,
    first: number,
    last: number,
    codes: Int32Array,
    out: unknown[] | null,
    at: number,
    probe: boolean,
  ): boolean {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    const n = last - first;
    const base = offsets[first] as number;
    const offsetsAt = toHeap(Scratch.Utf8Offsets, offsets.subarray(first, last + 1), n + 1);
    const bytesAt = toHeap(Scratch.Utf8Bytes, bytes.subarray(base, offsets[last]), (offsets[last] as number) - base);
    const codesAt = scratchInts(Scratch.Utf8Codes, n);
    let r = 0;
    try {
      while (r < n) {
        const row = this.rows + first + r;
        if (probe && mostlyDistinct(row, this.values.length)) {
          this.plain = true;
          return false;
        }
        const stop = probe ? Math.min(n, nextProbe(row) - this.rows - first) : n;
        while (r < stop) {
          r = folds.lookupUtf8(offsetsAt, bytesAt, base, r, stop, this.slots.at, this.mask, this.pool.at, codesAt);
          if (r === stop) break;
          const from = offsets[first + r] as number;
          const to = offsets[first + r + 1] as number;
          const e = isNullAt(bitmap, data.offset + first + r) ? this.nullValue() : this.insert(bytes, from, to, hashBytes(bytes, from, to));
          intsAt(codesAt, n)[r] = e;
          r++;
        }
      }
    } finally {
      if (probe) this.rows += r;
    }
    codes.set(intsAt(codesAt, n), at);
    if (bitmap !== null) {
      for (let r = 0; r < n; r++) if (isNullAt(bitmap, data.offset + first + r)) codes[at + r] = this.nullValue();
    }
    if (out !== null) {
      const values = this.values;
      for (let k = 0; k < n; k++) out[at + k] = values[codes[at + k] as number];
    }
    return true;
  }

  /** The entry of the value in bytes from … to-1, added if new. */
  private entryOf(bytes: Uint8Array, from: number, to: number): number {
    const h = hashBytes(bytes, from, to);
    const slots = this.slots.array;
    const pool = this.pool.array;
    const mask = this.mask;
    const len = to - from;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const c = slots[4 * s] as number;
      if (c < 0) break;
      if (slots[4 * s + 1] !== h || slots[4 * s + 3] !== len) continue;
      const at = slots[4 * s + 2] as number;
      let b = 0;
      while (b < len && pool[at + b] === bytes[from + b]) b++;
      if (b === len) return c;
    }
    return this.insert(bytes, from, to, h);
  }

  /** Adds the value in bytes from … to-1 (hash h, not in the table): its new entry. */
  private insert(bytes: Uint8Array, from: number, to: number, h: number): number {
    const values = this.values;
    const e = values.length;
    values.push(decoder.decode(bytes.subarray(from, to)));
    const len = to - from;
    const at = this.starts[e] as number;
    this.pool.grow(at + len);
    this.pool.array.set(bytes.subarray(from, to), at);
    this.starts = ensureInt32(this.starts, e + 2);
    this.starts[e + 1] = at + len;
    this.hashes = ensureInt32(this.hashes, e + 1);
    this.hashes[e] = h;
    // At half full, double the slots and re-place every entry.
    if (values.length * 2 > this.mask) {
      this.mask = this.mask * 2 + 1;
      this.slots.free();
      this.slots = placed(this.hashes, this.starts, values, this.mask);
    } else {
      const slots = this.slots.array;
      let s = h & this.mask;
      while ((slots[4 * s] as number) >= 0) s = (s + 1) & this.mask;
      slots[4 * s] = e;
      slots[4 * s + 1] = h;
      slots[4 * s + 2] = at;
      slots[4 * s + 3] = len;
    }
    return e;
  }
}

/** Whether row `k` of a chunk is null by its validity bitmap (`null`: every row is valid). */
function isNullAt(bitmap: Uint8Array | null, k: number): boolean {
  return bitmap !== null && ((bitmap[k >> 3] as number) & (1 << (k & 7))) === 0;
}

/** A chunk's validity bitmap, or null when every row is valid. */
function validityBitmap(data: arrow.Data): Uint8Array | null {
  return data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0 ? null : data.nullBitmap;
}

/** A table of `mask + 1` slots (an entry, its hash, start and length each) holding every non-null entry by its hash. */
function placed(hashes: Int32Array, starts: Int32Array, values: readonly (string | null)[], mask: number): HeapInts {
  const table = emptySlots(mask + 1);
  const slots = table.array;
  for (let c = 0; c < values.length; c++) {
    if (values[c] === null) continue;
    const h = hashes[c] as number;
    let s = h & mask;
    while ((slots[4 * s] as number) >= 0) s = (s + 1) & mask;
    slots[4 * s] = c;
    slots[4 * s + 1] = h;
    slots[4 * s + 2] = starts[c] as number;
    slots[4 * s + 3] = (starts[c + 1] as number) - (starts[c] as number);
  }
  return table;
}

/** `n` empty slots (every field -1, the entry's included). */
function emptySlots(n: number): HeapInts {
  return new HeapInts(4 * n, -1);
}

/** A 32-bit hash of bytes from … to-1, four at a time (murmur-style mixing, then a final avalanche). */
function hashBytes(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5 ^ (to - from);
  let b = from;
  for (; b + 4 <= to; b += 4) {
    const w = (bytes[b] as number) | ((bytes[b + 1] as number) << 8) | ((bytes[b + 2] as number) << 16) | ((bytes[b + 3] as number) << 24);
    h = Math.imul(h ^ Math.imul(w, 0xcc9e2d51), 0x1b873593);
    h ^= h >>> 15;
  }
  for (; b < to; b++) h = Math.imul(h ^ (bytes[b] as number), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h;
}

function ensureInt32(a: Int32Array, n: number): Int32Array {
  return n <= a.length ? a : grownInt32(a, n);
}
