import type * as arrow from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeColumn, encodeColumn } from "../../../runtime/exec/columns.ts";
import { KeyIndex } from "../../../runtime/exec/keys.ts";
import { Utf8Decoder, utf8Dictionary } from "../../../runtime/exec/utf8-dictionary.ts";

/** Ids of every row over `columns`, adding each. */
function idsOf(columns: unknown[][]): number[] {
  return Array.from(new KeyIndex(columns.length).addRows(columns, columns[0]?.length ?? 0));
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
    const c = Array.from({ length: n }, (_, i) => i % 2);
    const rows = Array.from({ length: n }, (_, i) => i);
    // Two columns (a direct table of pairs) and three (a hash table of tuples).
    for (const columns of [
      [a, b],
      [a, b, c],
    ]) {
      const index = new KeyIndex(columns.length);
      // In batches, so the table grows between and within them.
      for (let at = 0; at < n; at += 7000) {
        const ids = index.addRows(
          columns.map((col) => col.slice(at, at + 7000)),
          Math.min(7000, n - at),
        );
        expect(Array.from(ids)).toEqual(rows.slice(at, at + 7000));
      }
      expect(index.size).toBe(n);
      // Added again, each row finds its own id.
      expect(Array.from(index.addRows(columns, n))).toEqual(rows);
      expect(Array.from(index.findRows(columns, n))).toEqual(rows);
      expect(index.size).toBe(n);
    }
  });

  it("keeps two-column ids in first-seen order while the code ranges outgrow a direct table", () => {
    // Batches whose codes widen from a few values to thousands per column, so the pairs move
    // from a direct table, re-laid as the ranges grow, to a hash table, some of each batch seen before.
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 1000 }), (spans, seed) => {
        const index = new KeyIndex(2);
        const seen = new Map<string, number>();
        let x = seed;
        const next = (m: number) => {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          return x % m;
        };
        for (const span of spans) {
          const n = 3000;
          const a = Array.from({ length: n }, () => next(span));
          const b = Array.from({ length: n }, () => next(Math.max(1, 4000 - span)));
          const expected = a.map((v, i) => {
            const key = `${v}:${b[i]}`;
            if (!seen.has(key)) seen.set(key, seen.size);
            return seen.get(key);
          });
          expect(Array.from(index.addRows([a, b], n))).toEqual(expected);
          expect(index.size).toBe(seen.size);
          expect(Array.from(index.findRows([a, b], n))).toEqual(expected);
        }
        expect(Array.from(index.findRows([[0, 4001], [4001, 0]], 2))).toEqual([-1, -1]);
      }),
      { numRuns: 40 },
    );
  });

  it("finds keys of another batch without adding them, -1 when absent", () => {
    const index = new KeyIndex(2);
    const build = [
      ["a", "b", "a"],
      [1, 1, 2],
    ];
    index.addRows(build, 3);
    const probe = [
      ["a", "b", "b", "c"],
      [2, 1, 2, 1],
    ];
    expect(Array.from(index.findRows(probe, 4))).toEqual([2, 1, -1, -1]);
    expect(index.size).toBe(3);
  });

  it("has one key for every row when there are no key columns", () => {
    const index = new KeyIndex(0);
    expect(Array.from(index.findRows([], 1))).toEqual([-1]);
    expect(Array.from(index.addRows([], 2))).toEqual([0, 0]);
    expect(index.size).toBe(1);
  });
});

/** A column as a task decodes it from Arrow (dictionary-coded strings, typed non-null ints), in `chunks` chunks. */
function decoded(values: unknown[], type: "utf8" | "int32", chunks: number): unknown[] {
  const field = { name: "k", type, nullable: true };
  const size = Math.ceil(values.length / chunks) || 1;
  const parts: arrow.Data[] = [];
  for (let at = 0; at < values.length; at += size) parts.push(encodeColumn(values.slice(at, at + size), field));
  return decodeColumn(parts, type);
}

describe("KeyIndex.addRows and findRows", () => {
  const strings = fc.array(fc.option(fc.constantFrom("a", "b", "ü", "", "🙂", "id001", "id002"), { nil: null }), { maxLength: 60 });
  const ints = fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 60 });

  it("give the ids that adding row by row gives, over dictionary-coded and typed columns", () => {
    fc.assert(
      fc.property(strings, ints, fc.integer({ min: 1, max: 4 }), (s, n, chunks) => {
        const len = Math.min(s.length, n.length);
        const plain = [s.slice(0, len), n.slice(0, len)];
        const columns = [decoded(plain[0] as unknown[], "utf8", chunks), decoded(plain[1] as unknown[], "int32", chunks)];
        const expected = idsOf(plain);
        expect(Array.from(new KeyIndex(2).addRows(columns, len))).toEqual(expected);
        expect(Array.from(new KeyIndex(1).addRows([columns[0] as unknown[]], len))).toEqual(idsOf([plain[0] as unknown[]]));
        // Probing: the id of the first row with the same tuple, -1 for a tuple never added.
        const index = new KeyIndex(2);
        index.addRows(columns, len);
        const probe = [["b", null, "zz", "a"], [1, 2, 3, 0]];
        const want = [0, 1, 2, 3].map((i) => {
          const j = (plain[0] as unknown[]).findIndex((v, r) => v === probe[0]?.[i] && plain[1]?.[r] === probe[1]?.[i]);
          return j < 0 ? -1 : (expected[j] as number);
        });
        expect(Array.from(index.findRows([decoded(probe[0] as unknown[], "utf8", 1), decoded(probe[1] as unknown[], "int32", 1)], 4))).toEqual(want);
      }),
    );
  });

  it("decode repeating strings through a dictionary, and mostly distinct ones without", () => {
    const repeating = decoded(Array.from({ length: 20_000 }, (_, i) => `id${i % 100}`), "utf8", 3);
    expect(utf8Dictionary(repeating)?.values.length).toBe(100);
    expect(repeating[12_345]).toBe("id45");
    const distinct = decoded(Array.from({ length: 140_000 }, (_, i) => `t${i}`), "utf8", 2);
    expect(utf8Dictionary(distinct)).toBeUndefined();
    expect(distinct[139_999]).toBe("t139999");
  });

  it("code a stream's batches through one dictionary, the key index coding each value once", () => {
    const utf8 = new Utf8Decoder();
    const batch = (values: string[]) => decodeColumn([encodeColumn(values, { name: "k", type: "utf8", nullable: false })], "utf8", utf8);
    const first = batch(["b", "a", "b"]);
    const second = batch(["c", "a", "c", "b"]);
    expect(utf8Dictionary(second)?.values).toBe(utf8Dictionary(first)?.values);
    expect(Array.from(utf8Dictionary(second)?.codes ?? [])).toEqual([2, 1, 2, 0]);
    const index = new KeyIndex(1);
    expect(Array.from(index.addRows([first], 3))).toEqual([0, 1, 0]);
    expect(Array.from(index.addRows([second], 4))).toEqual([2, 1, 2, 0]);
    // A column decoded through another dictionary: the values of the first keep their ids.
    const other = decodeColumn([encodeColumn(["c", "e", "b"], { name: "k", type: "utf8", nullable: false })], "utf8");
    expect(Array.from(index.addRows([other], 3))).toEqual([2, 3, 0]);
    expect(Array.from(index.findRows([batch(["a", "d", "c", "e"])], 4))).toEqual([1, -1, 2, 3]);
  });

  it("keep non-null int columns in typed arrays, across chunks", () => {
    const column = decoded([5, -1, 7, 7, 2], "int32", 2);
    expect(column).toBeInstanceOf(Int32Array);
    expect(Array.from(column)).toEqual([5, -1, 7, 7, 2]);
    expect(decoded([5, null], "int32", 1)).toEqual([5, null]);
  });
});
