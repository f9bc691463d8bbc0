import { describe, expect, it } from "vitest";
import { columnRandom, permutation, sampleAll, seededRandom, uniformInt } from "../../bench/db-benchmark/random.ts";

describe("the benchmark data's randomness", () => {
  it("repeats for a seed and differs between seeds and columns", () => {
    const draw = (r: () => number) => Array.from({ length: 5 }, r);
    expect(draw(seededRandom(108))).toEqual(draw(seededRandom(108)));
    expect(draw(seededRandom(108))).not.toEqual(draw(seededRandom(109)));
    expect(draw(columnRandom(108, 0))).not.toEqual(draw(columnRandom(108, 1)));
  });

  it("draws integers uniformly in 1..n", () => {
    const r = seededRandom(1);
    const counts = new Array(11).fill(0);
    for (let i = 0; i < 100_000; i++) counts[uniformInt(r, 10)]++;
    expect(counts[0]).toBe(0);
    for (let k = 1; k <= 10; k++) expect(Math.abs(counts[k] - 10_000)).toBeLessThan(500);
  });

  it("permutes 1..n", () => {
    const p = permutation(1000, seededRandom(2));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect([...p.subarray(0, 10)]).not.toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("samples every key at least once, then only keys", () => {
    const keys = Int32Array.from([7, 3, 11, 5]);
    const out = sampleAll(keys, 50, seededRandom(3));
    expect(out.length).toBe(50);
    expect(new Set(out)).toEqual(new Set(keys));
    expect(() => sampleAll(keys, 3, seededRandom(3))).toThrow(/do not fit/);
  });
});
