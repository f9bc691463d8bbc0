import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { KeyIndex } from "../../../runtime/exec/keys.ts";
import { folds, HeapBytes, HeapFloats, intsAt, releaseIdleHeap, Scratch, scratchInts, toHeap } from "../../../runtime/exec/wasm/heap.ts";
// @ts-expect-error: a plain .mjs script, without types
import { foldsModuleSource } from "../../../scripts/build-wasm.mjs";

describe("the folds' WebAssembly heap", () => {
  it("loads the bytes that folds.wat builds to", async () => {
    const committed = readFileSync(new URL("../../../runtime/exec/wasm/folds-binary.ts", import.meta.url), "utf8");
    expect(committed).toBe(await foldsModuleSource());
  });

  it("keeps a growing array's values, and its view follows the memory when it grows", () => {
    const a = new HeapFloats(4, 7);
    a.array.set([1, 2, 3, 4]);
    a.grow(6, -1);
    expect(Array.from(a.array)).toEqual([1, 2, 3, 4, -1, -1, -1, -1]);
    const before = folds.memory.buffer.byteLength;
    const big = new HeapFloats(1 << 20);
    expect(folds.memory.buffer.byteLength).toBeGreaterThan(before);
    a.array[0] = 9;
    expect(Array.from(a.array.subarray(0, 2))).toEqual([9, 2]);
    big.free();
    a.free();
  });

  it("refuses state beyond 4 GiB with an error that says what to do, and stays usable", () => {
    const a = new HeapFloats(8, 1);
    expect(() => new HeapFloats(2 ** 30)).toThrow(/out of memory for operator state.*--partitions/);
    expect(() => a.grow(2 ** 30)).toThrow(/out of memory/);
    expect(Array.from(a.array)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    a.free();
  });

  it("reuses a freed block for the next array of its size", () => {
    const a = new HeapFloats(100);
    const at = a.at;
    a.free();
    const b = new HeapFloats(120, 3);
    expect(b.at).toBe(at);
    expect(b.array[119]).toBe(3);
    b.free();
  });

  it("folds a batch's rows into per-group states", () => {
    const ids = Int32Array.from([0, 2, 0, 1, 2, 2]);
    const counts = new HeapFloats(3);
    const sums = new HeapFloats(3);
    const at = toHeap(Scratch.GroupIds, ids, ids.length);
    folds.countRows(at, ids.length, counts.at);
    folds.sumInt32(at, toHeap(Scratch.Values, Int32Array.from([5, -1, 7, 2, 4, 10]), 6), 6, sums.at);
    expect(Array.from(counts.array)).toEqual([2, 1, 3]);
    expect(Array.from(sums.array)).toEqual([12, 2, 13]);
    counts.free();
    sums.free();
  });

  it("adds values to windows that hold them, opening a group's window at its first value, and returns the rows of the others", () => {
    // Group 0's window counts units of 2^-64 (scale 2^64); groups 1 and 2 have none (a NaN scale).
    const windows = new HeapFloats(12);
    windows.array.set([2 ** 64, 0, 0, 0, Number.NaN, 0, 0, 0, Number.NaN, 0, 0, 0]);
    const ids = Int32Array.from([0, 1, 0, 0, 0, 2, 2]);
    const values = Float64Array.from([1.5, 2, 2 ** -70, 3 * 2 ** 33, 2 ** -64, 2 ** 950, 0]);
    const rest = scratchInts(Scratch.Rest, 7);
    const left = folds.addToWindows(toHeap(Scratch.GroupIds, ids, 7), toHeap(Scratch.Values, values, 7), 7, windows.at, rest);
    // 2^-70 is finer than group 0's unit and 3·2^33 has 2^97 units; 2^950 opens no window, so
    // group 2 has none for 0 either.
    expect(Array.from(intsAt(rest, left))).toEqual([2, 3, 5, 6]);
    // 1.5 + 2^-64 in units of 2^-64: 1.5·2^64 + 1, split into 32-bit chunks lo, mid, hi.
    expect(Array.from(windows.array.subarray(1, 4))).toEqual([1, 2 ** 31, 1]);
    // 2 (exponent 1) opens group 1's window at units of 2^-64 (the chunk boundary below 2^-52): 2·2^64 of them.
    expect(Array.from(windows.array.subarray(4, 8))).toEqual([2 ** 64, 0, 0, 2]);
    expect(windows.array[8]).toBeNaN();
    windows.free();
  });

  it("gives a freed key index's tables back, so repeated indexes do not grow the heap", () => {
    const keys = Int32Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 400_000);
    const run = () => {
      const index = new KeyIndex(1);
      const ids = index.addRows([keys as unknown as unknown[]], keys.length);
      expect(index.size).toBe(100_000);
      expect(ids[1]).toBe(1);
      index.free();
    };
    run();
    const size = folds.memory.buffer.byteLength;
    for (let k = 0; k < 20; k++) run();
    expect(folds.memory.buffer.byteLength).toBe(size);
  });

  it("starts a fresh memory a while after a task once no array lives in a large one, and not before", () => {
    vi.useFakeTimers();
    const kept = new HeapFloats(4, 2);
    const big = new HeapBytes(80 << 20);
    big.free();
    releaseIdleHeap();
    vi.advanceTimersByTime(5000);
    // An array still lives: the memory stays, with its values.
    expect(folds.memory.buffer.byteLength).toBeGreaterThan(80 << 20);
    expect(Array.from(kept.array)).toEqual([2, 2, 2, 2]);
    kept.free();
    releaseIdleHeap();
    // A task that starts soon after reuses the memory; one that allocates keeps it.
    vi.advanceTimersByTime(100);
    expect(folds.memory.buffer.byteLength).toBeGreaterThan(80 << 20);
    const during = new HeapFloats(4);
    vi.advanceTimersByTime(5000);
    expect(folds.memory.buffer.byteLength).toBeGreaterThan(80 << 20);
    during.free();
    releaseIdleHeap();
    vi.advanceTimersByTime(5000);
    vi.useRealTimers();
    expect(folds.memory.buffer.byteLength).toBeLessThan(1 << 20);
    // The fresh memory serves folds as before.
    const counts = new HeapFloats(2);
    folds.countRows(toHeap(Scratch.GroupIds, Int32Array.from([1, 1, 0]), 3), 3, counts.at);
    expect(Array.from(counts.array)).toEqual([1, 2]);
    counts.free();
  });
});
