import { describe, expect, it } from "vitest";
import { KeyIndex } from "../../../runtime/exec/keys.ts";

/** Ids of every row over `columns`, adding each. */
function idsOf(columns: unknown[][]): number[] {
  const index = new KeyIndex(columns.length);
  return Array.from({ length: columns[0]?.length ?? 0 }, (_, i) => index.add(columns, i));
}

describe("KeyIndex", () => {
  it("numbers keys 0, 1, 2, … in order of first appearance", () => {
    expect(idsOf([["b", "a", "b", "c", "a"]])).toEqual([0, 1, 0, 2, 1]);
  });

  it("groups null with undefined, NaN with NaN and -0 with 0, and tells types apart", () => {
    expect(idsOf([[null, undefined, Number.NaN, Number.NaN, -0, 0, "0", 0n, 1n, 1n]])).toEqual([0, 0, 1, 1, 2, 2, 3, 4, 5, 5]);
  });

  it("keys several columns by the whole tuple, in first-seen order of the tuple", () => {
    const a = ["x", "x", "y", "x", "y", "y"];
    const b = [1, 2, 1, 1, 1, 2];
    const c = [true, true, true, true, true, false];
    expect(idsOf([a, b, c])).toEqual([0, 1, 2, 0, 2, 3]);
  });

  it("keeps ids stable while its table grows past many resizes", () => {
    const n = 50_000;
    const a = Array.from({ length: n }, (_, i) => i % 317);
    const b = Array.from({ length: n }, (_, i) => Math.floor(i / 317));
    const index = new KeyIndex(2);
    for (let i = 0; i < n; i++) expect(index.add([a, b], i)).toBe(i);
    expect(index.size).toBe(n);
    // Added again, each row finds its own id.
    for (let i = 0; i < n; i += 997) expect(index.add([a, b], i)).toBe(i);
  });

  it("finds keys of another batch without adding them, -1 when absent", () => {
    const index = new KeyIndex(2);
    const build = [
      ["a", "b", "a"],
      [1, 1, 2],
    ];
    for (let i = 0; i < 3; i++) index.add(build, i);
    const probe = [
      ["a", "b", "b", "c"],
      [2, 1, 2, 1],
    ];
    expect([0, 1, 2, 3].map((i) => index.find(probe, i))).toEqual([2, 1, -1, -1]);
    expect(index.size).toBe(3);
  });

  it("has one key for every row when there are no key columns", () => {
    const index = new KeyIndex(0);
    expect(index.find([], 0)).toBe(-1);
    expect(index.add([], 0)).toBe(0);
    expect(index.add([], 1)).toBe(0);
    expect(index.size).toBe(1);
  });
});
