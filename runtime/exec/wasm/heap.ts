/**
 * The WebAssembly folds (folds.wat) and the linear memory they work in, one instance per thread.
 * Operator state lives in this memory (aggregates' per-group states, key tables, the utf8
 * dictionary's table and bytes), so a fold's loop addresses it from one base register: in V8, a
 * JS loop over typed arrays passed as arguments reloads each array's data pointer and length
 * after every store, which made a grouped sum 3-5× slower than the same loop over WebAssembly
 * memory. Inputs (a batch's argument columns, an Arrow chunk's strings) are copied into
 * per-purpose scratch regions before a fold, which costs far less than the fold saves.
 *
 * Memory is handed out in power-of-two blocks (states grow by doubling, so they fill their
 * blocks), reused through per-size free lists; operators free their arrays when they finish, and
 * an array dropped without `free` (a failed task's) gives its block back when it is
 * garbage-collected. The memory itself only grows (by half at least, so views are seldom
 * detached; pages never touched take no RAM), up to WebAssembly's 4 GiB per thread.
 */
import { FOLDS_WASM_BASE64 } from "./folds-binary.ts";

interface FoldExports {
  readonly memory: WebAssembly.Memory;
  countRows(ids: number, n: number, counts: number): void;
  sumInt32(ids: number, values: number, n: number, sums: number): void;
  minMax(ids: number, values: number, ints: number, n: number, best: number, seen: number, max: number): void;
  addWhole(ids: number, values: number, n: number, sums: number): number;
  addToWindows(ids: number, values: number, n: number, windows: number, rest: number): number;
  addToWindow(values: number, n: number, window: number, rest: number): number;
  codeInts(values: number, from: number, n: number, table: number, base: number, size: number, out: number): number;
  findInts(values: number, n: number, table: number, base: number, size: number, out: number): void;
  tupleRows(cols: number, w: number, from: number, n: number, adding: number, slots: number, mask: number, tuples: number, hashes: number, state: number, out: number): number;
  placeIds(hashes: number, n: number, slots: number, mask: number): void;
  pairRows(a: number, b: number, n: number, adding: number, slots: number, shift: number, firsts: number, seconds: number, state: number, out: number): void;
  joinPairs(found: number, n: number, head: number, next: number, kind: number, mark: number, matched: number, li: number, ri: number, room: number): number;
  lookupUtf8(offsets: number, bytes: number, base: number, from: number, to: number, slots: number, mask: number, pool: number, codes: number): number;
  scanCsv(bytes: number, n: number, delim: number, out: number, room: number): number;
}

const compiled = new WebAssembly.Module(Buffer.from(FOLDS_WASM_BASE64, "base64"));
const instantiate = () => new WebAssembly.Instance(compiled).exports as unknown as FoldExports;

/** The folds of folds.wat; pointers are byte offsets into `memory`. */
export let folds = instantiate();

let memory = folds.memory;
const PAGE = 65536;
/** WebAssembly's limit on a 32-bit memory: 4 GiB. */
const MAX_PAGES = 65536;
/** The smallest block is 2^MIN_CLASS bytes, so every block is aligned for float64s (and to a cache line). */
const MIN_CLASS = 6;
/** The end of the memory handed out so far. */
let top = 0;
/** How many times the memory grew (which detaches every view of it): views made before are stale. */
let growths = 0;
/** Freed blocks by size class (log2 of their size). */
const freeBlocks: number[][] = [];
/** Arrays not freed yet (one dropped without `free` counts until it is garbage-collected). */
let live = 0;
/** A memory larger than this is replaced by a fresh one once no array has lived in it for IDLE_MS (see releaseIdleHeap). */
const IDLE_BYTES = 64 << 20;
const IDLE_MS = 1000;
let idleTimer: ReturnType<typeof setTimeout> | undefined;

function sizeClass(bytes: number): number {
  return Math.max(MIN_CLASS, 32 - Math.clz32(Math.max(1, bytes) - 1));
}

function outOfMemory(have: number, end: number, why: string): RangeError {
  return new RangeError(
    `tsdf: out of memory for operator state (aggregates, join and grouping keys): a thread's WebAssembly heap cannot grow from ${have} to ${end} bytes (${why}); run on more partitions (--partitions) so each task holds fewer groups or keys`,
  );
}

/** A block of at least `bytes` bytes (its contents are whatever its last owner left). */
function allocate(bytes: number): number {
  // sizeClass's 32-bit arithmetic holds below 4 GiB, which is all a memory has.
  if (bytes > MAX_PAGES * PAGE) throw outOfMemory(memory.buffer.byteLength, top + bytes, "beyond WebAssembly's 4 GiB");
  const c = sizeClass(bytes);
  const reused = freeBlocks[c]?.pop();
  if (reused !== undefined) return reused;
  const at = top;
  const end = at + 2 ** c;
  const have = memory.buffer.byteLength;
  if (end > have) {
    const needed = Math.ceil((end - have) / PAGE);
    const pages = have / PAGE;
    try {
      memory.grow(Math.max(needed, Math.min(pages >> 1, MAX_PAGES - pages)));
      growths++;
    } catch (e) {
      throw outOfMemory(have, end, (e as Error).message);
    }
  }
  top = end;
  return at;
}

function release(at: number, bytes: number): void {
  const c = sizeClass(bytes);
  let list = freeBlocks[c];
  if (list === undefined) {
    list = [];
    freeBlocks[c] = list;
  }
  list.push(at);
}

const unreachable = new FinalizationRegistry<{ readonly at: number; readonly bytes: number }>(({ at, bytes }) => {
  live--;
  release(at, bytes);
});

/**
 * Called after each task: a large memory in which no array lives is given back after IDLE_MS
 * without a new one (the thread starts again with a fresh, small memory), so an idle thread does
 * not keep its largest task's memory for good (a WebAssembly memory cannot shrink), while tasks
 * run back to back reuse it.
 */
export function releaseIdleHeap(): void {
  if (idleTimer !== undefined || live > 0 || memory.buffer.byteLength <= IDLE_BYTES) return;
  idleTimer = setTimeout(() => {
    idleTimer = undefined;
    if (live > 0) return;
    folds = instantiate();
    memory = folds.memory;
    top = 0;
    growths++;
    freeBlocks.length = 0;
    scratch.length = 0;
  }, IDLE_MS);
  idleTimer.unref();
}

type Typed = Float64Array | Int32Array | Uint8Array;

interface ArrayKind<A extends Typed> {
  new (buffer: ArrayBuffer, at: number, length: number): A;
  readonly BYTES_PER_ELEMENT: number;
}

/**
 * A typed array in the heap: `at` is its byte offset (for the folds), `array` its current view.
 * Memory growth detaches views, so read `array` again after anything that may allocate.
 */
class HeapArray<A extends Typed> {
  at: number;
  length: number;
  private view: A | undefined;
  private viewOf = -1;
  private freed = false;

  constructor(
    private readonly kind: ArrayKind<A>,
    length: number,
    fill: number,
  ) {
    this.length = length;
    this.at = allocate(length * kind.BYTES_PER_ELEMENT);
    live++;
    unreachable.register(this, { at: this.at, bytes: length * kind.BYTES_PER_ELEMENT }, this);
    this.array.fill(fill);
  }

  get array(): A {
    if (this.view === undefined || this.viewOf !== growths) {
      this.view = new this.kind(memory.buffer, this.at, this.length);
      this.viewOf = growths;
    }
    return this.view;
  }

  /** Makes room for at least `length` values (at least doubling), the new ones set to `fill`. */
  grow(length: number, fill = 0): void {
    if (length <= this.length) return;
    const had = this.length;
    const from = this.at;
    // Claimed before the old block is released, so a failed allocation leaves the array as it was.
    const size = Math.max(length, had * 2);
    const at = allocate(size * this.kind.BYTES_PER_ELEMENT);
    const array = new this.kind(memory.buffer, at, size);
    array.set(new this.kind(memory.buffer, from, had));
    array.fill(fill, had);
    this.release();
    this.at = at;
    this.length = size;
    this.view = array;
    this.viewOf = growths;
    unreachable.register(this, { at, bytes: size * this.kind.BYTES_PER_ELEMENT }, this);
  }

  /** Gives the block back: the array must not be used after. Once only (later calls do nothing). */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    live--;
    this.release();
  }

  private release(): void {
    unreachable.unregister(this);
    release(this.at, this.length * this.kind.BYTES_PER_ELEMENT);
  }
}

/** A float64 array in the heap. */
export class HeapFloats extends HeapArray<Float64Array> {
  constructor(length: number, fill = 0) {
    super(Float64Array, length, fill);
  }
}

/** An int32 array in the heap. */
export class HeapInts extends HeapArray<Int32Array> {
  constructor(length: number, fill = 0) {
    super(Int32Array, length, fill);
  }
}

/** A byte array in the heap. */
export class HeapBytes extends HeapArray<Uint8Array> {
  constructor(length: number) {
    super(Uint8Array, length, 0);
  }
}

/** Scratch regions by purpose, so that one fold's inputs never overwrite another's. */
export const Scratch = {
  GroupIds: 0,
  Values: 1,
  Rest: 2,
  NonNullIds: 3,
  KeyValues: 4,
  Utf8Offsets: 5,
  Utf8Bytes: 6,
  Utf8Codes: 7,
  KernelInput0: 8,
  KernelInput1: 9,
  KernelInput2: 10,
  KernelInput3: 11,
  CsvBytes: 12,
  CsvRecords: 13,
} as const;
export type Scratch = (typeof Scratch)[keyof typeof Scratch];

const scratch: { at: number; bytes: number }[] = [];

/** The byte offset of scratch region `slot` with room for `bytes` bytes (valid until that slot is asked for again). */
function scratchAt(slot: Scratch, bytes: number): number {
  let s = scratch[slot];
  if (s === undefined || s.bytes < bytes) {
    if (s !== undefined) release(s.at, s.bytes);
    const size = 2 ** sizeClass(Math.max(bytes, (s?.bytes ?? 0) * 2));
    s = { at: allocate(size), bytes: size };
    scratch[slot] = s;
  }
  return s.at;
}

/**
 * The byte offset of `values[0 … n-1]` in the heap: where they are when `values` is a view of the
 * heap, else where they were copied to, in scratch region `slot`.
 */
export function toHeap(slot: Scratch, values: Typed, n: number): number {
  if (values.buffer === memory.buffer) return values.byteOffset;
  // A view the heap's growth detached reads as empty.
  if (values.length < n) throw new Error(`internal error: ${n} values expected in a buffer of ${values.length}`);
  const bytes = n * values.BYTES_PER_ELEMENT;
  const at = scratchAt(slot, bytes);
  new Uint8Array(memory.buffer, at, bytes).set(new Uint8Array(values.buffer, values.byteOffset, bytes));
  return at;
}

/** Room for `n` int32s in scratch region `slot`: its byte offset. */
export function scratchInts(slot: Scratch, n: number): number {
  return scratchAt(slot, n * 4);
}

/** The float64s of scratch region `slot`, room for `n` (a view, valid until the heap next grows). */
export function scratchFloats(slot: Scratch, n: number): Float64Array {
  return floatsAt(scratchAt(slot, n * 8), n);
}

/** The float64s at byte offset `at` (a view, valid until the heap next grows). */
export function floatsAt(at: number, n: number): Float64Array {
  return new Float64Array(memory.buffer, at, n);
}

/** The int32s at byte offset `at` (a view, valid until the heap next grows). */
export function intsAt(at: number, n: number): Int32Array {
  return new Int32Array(memory.buffer, at, n);
}
