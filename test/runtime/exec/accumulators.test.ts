import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PhysicalAggregate } from "../../../plan/physical.ts";
import type { DataType } from "../../../plan/schema.ts";
import { createAccumulator, ExactSum, GroupBatch, GroupRows } from "../../../runtime/exec/accumulators.ts";
import { folds, HeapInts } from "../../../runtime/exec/wasm/heap.ts";

const agg = (fn: PhysicalAggregate["fn"], argType: DataType, star = false): PhysicalAggregate =>
  ({ fn, argType, name: "a", ...(star ? {} : { arg: { kind: "Column", name: "x" } }) }) as PhysicalAggregate;

/** Results per group of `a` over rows (group id, value). */
function single(a: PhysicalAggregate, ids: number[], values: unknown[]): unknown[] {
  const groups = Math.max(-1, ...ids) + 1;
  const acc = createAccumulator(a);
  acc.update(new GroupBatch(Int32Array.from(ids), ids.length), a.arg ? values : null, groups);
  return [...acc.results(groups)];
}

/**
 * The same, computed as partial states over two halves of the rows and merged in order: as one
 * batch of both halves' states (plain arrays), or (`separately`) as one batch per half, each its
 * states' columns as `states` returned them (typed arrays, as a shuffle block decodes them).
 */
function split(a: PhysicalAggregate, ids: number[], values: unknown[], at: number, separately = false): unknown[] {
  const groups = Math.max(-1, ...ids) + 1;
  const halves = [
    [0, at],
    [at, ids.length],
  ].map(([s, e]) => {
    const acc = createAccumulator(a);
    acc.update(new GroupBatch(Int32Array.from(ids.slice(s, e)), (e as number) - (s as number)), a.arg ? values.slice(s, e) : null, groups);
    return acc.states(groups);
  });
  const final = createAccumulator(a);
  if (separately) {
    for (const half of halves) final.merge(new GroupBatch(Int32Array.from(Array(groups).keys()), groups), half, groups);
    return [...final.results(groups)];
  }
  const stateIds = Int32Array.from([...Array(groups).keys(), ...Array(groups).keys()]);
  const states = (halves[0] as unknown[][]).map((col, k) => [...col, ...((halves[1] as unknown[][])[k] as unknown[])]);
  final.merge(new GroupBatch(stateIds, 2 * groups), states, groups);
  return [...final.results(groups)];
}

describe("merging partial states", () => {
  it("reads group ids that live in the heap after growing its states, which grows the heap", () => {
    const idsInHeap = new HeapInts(4);
    const before = folds.memory.buffer.byteLength;
    const groups = before / 8 + 1;
    idsInHeap.array.set([groups - 1, 0, groups - 1, 5]);
    const acc = createAccumulator(agg("sum", "int32"));
    acc.merge(new GroupBatch(idsInHeap.array, 4), [[1, 2, 3, 4]], groups);
    expect(folds.memory.buffer.byteLength).toBeGreaterThan(before);
    const sums = acc.results(groups);
    expect([sums[0], sums[5], sums[groups - 1], sums[1]]).toEqual([2, 4, 4, null]);
    idsInHeap.free();
  });

  it("gives a kernel a view of the heap for its values that stays valid through update, the states grown first", () => {
    // More groups than the heap holds first windows for: growing the states must grow the heap.
    const groups = folds.memory.buffer.byteLength / 32 + 1;
    const shared = new GroupRows();
    const acc = createAccumulator(agg("sum", "float64"), shared);
    const batch = new GroupBatch(Int32Array.from([0, groups - 1, 0, 5]), 4);
    shared.add(batch, groups);
    const before = folds.memory.buffer.byteLength;
    const into = acc.argumentInto?.(groups, 4) as Float64Array;
    expect(folds.memory.buffer.byteLength).toBeGreaterThan(before);
    into.set([1.5, 2, 3.25, 4]);
    acc.update(batch, into as unknown as unknown[], groups);
    const sums = acc.results(groups);
    expect([sums[0], sums[5], sums[groups - 1], sums[1]]).toEqual([4.75, 4, 2, null]);
    acc.free?.();
    shared.free();
  });

  it("counts float sums' states by ids read before the batch of non-null states grows the heap", () => {
    // Enough rows that their copy in the heap's scratch space grows the heap, detaching older views.
    const n = folds.memory.buffer.byteLength / 4 + 1;
    const idsInHeap = new HeapInts(n);
    idsInHeap.array.fill(0);
    idsInHeap.array[n - 1] = 1;
    const his: (number | null)[] = new Array(n).fill(1);
    his[0] = null;
    const before = folds.memory.buffer.byteLength;
    const acc = createAccumulator(agg("avg", "float64"));
    acc.merge(new GroupBatch(idsInHeap.array, n), [his, new Array(n).fill(0), new Array(n).fill(null), new Array(n).fill(2)], 2);
    expect(folds.memory.buffer.byteLength).toBeGreaterThan(before);
    // Group 0: n - 2 states of sum 1 and count 2; group 1: one.
    expect([...acc.results(2)]).toEqual([0.5, 0.5]);
    idsInHeap.free();
  });
});

const ids = [0, 1, 0, 2, 1, 0, 2, 2];
const cases: [string, PhysicalAggregate, unknown[], unknown[]][] = [
  ["count()", agg("count", "int32", true), [], [3n, 2n, 3n]],
  ["count(x) skips nulls", agg("count", "int32"), [1, null, 2, null, 5, 3, null, 4], [3n, 1n, 1n]],
  ["sum of int32, null for only nulls", agg("sum", "int32"), [1, null, 2, null, null, 3, 7, 4], [6, null, 11]],
  ["avg of int64 as a double", agg("avg", "int64"), [1n, 2n, 2n, 9n, 4n, 4n, 1n, 2n], [7 / 3, 3, 4]],
  ["sum of doubles, exactly", agg("sum", "float64"), [1e16, 0.1, 1, 0.2, 0.2, -1e16, 0.3, 0.4], [1, 0.30000000000000004, 0.9]],
  ["min keeps the least, NaN above numbers", agg("min", "float64"), [3, Number.NaN, 1, 2, 4, 2, Number.NaN, 5], [1, 4, 2]],
  ["max of strings in code point order", agg("max", "utf8"), ["a", "b", "\u{1F642}", "x", "\uFFFF", "b", "y", "z"], ["\u{1F642}", "\uFFFF", "z"]],
  ["first keeps the earliest row, null included", agg("first", "int32"), [null, 1, 2, 3, 4, 5, 6, 7], [null, 1, 3]],
  ["last keeps the latest row", agg("last", "int32"), [0, 1, 2, 3, 4, 5, 6, 7], [5, 4, 7]],
  ["countDistinct ignores null", agg("count_distinct", "utf8"), ["a", "a", "b", null, "a", "a", "c", "c"], [2n, 1n, 1n]],
  ["stddev is the sample deviation, null below two values", agg("stddev", "float64"), [1, 5, 2, 7, null, 3, 9, 11], [1, null, 2]],
];

describe("grouped accumulators", () => {
  for (const [name, a, values, expected] of cases) {
    it(name, () => {
      expect(single(a, ids, values)).toEqual(expected);
    });
    it(`${name}: merged partial states give the same result for any split`, () => {
      for (let at = 0; at <= ids.length; at++) {
        expect(split(a, ids, values, at)).toEqual(expected);
        expect(split(a, ids, values, at, true)).toEqual(expected);
      }
    });
  }

  it("min and max of int32 and float64 keep Spark's order and the first of equal values (-0 and 0), typed or with nulls, whole or merged", () => {
    const double = fc.oneof(fc.constantFrom(0, -0, Number.NaN, 1, -1), fc.double({ noDefaultInfinity: true }));
    const int = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    for (const [type, value] of [["float64", double], ["int32", int]] as const) {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.option(value as fc.Arbitrary<number>, { freq: 5 })), { minLength: 1, maxLength: 40 }), fc.nat(), (rows, cut) => {
          const ids = rows.map(([g]) => g);
          const values = rows.map(([, v]) => v);
          const groups = Math.max(...ids) + 1;
          for (const fn of ["min", "max"] as const) {
            // The first value of each group that no later value passes (NaN above every number).
            const expected: (number | null)[] = new Array(groups).fill(null);
            rows.forEach(([g, v]) => {
              const cur = expected[g] as number | null;
              const above = (a: number, b: number) => (Number.isNaN(a) ? !Number.isNaN(b) : a > b);
              if (v !== null && (cur === null || (fn === "max" ? above(v, cur) : above(cur, v)))) expected[g] = v;
            });
            const a = agg(fn, type);
            expect(single(a, ids, values)).toEqual(expected);
            expect(split(a, ids, values, cut % (rows.length + 1), true)).toEqual(expected);
            if (!values.includes(null)) {
              const typed = type === "int32" ? Int32Array.from(values as number[]) : Float64Array.from(values as number[]);
              expect(single(a, ids, typed as unknown as unknown[])).toEqual(expected);
            }
          }
        }),
        { numRuns: 200 },
      );
    }
  });

  it("countDistinct counts NaN once and -0 as 0", () => {
    expect(single(agg("count_distinct", "float64"), [0, 0, 0, 0, 0], [Number.NaN, Number.NaN, 0, -0, 1])).toEqual([3n]);
  });

  it("gives an empty group its no-rows result (count 0, sum null)", () => {
    expect([...createAccumulator(agg("count", "int32", true)).results(1)]).toEqual([0n]);
    expect(createAccumulator(agg("sum", "float64")).results(1)).toEqual([null]);
    expect(createAccumulator(agg("max", "int32")).results(1)).toEqual([null]);
  });

  it("gives counts past 2^32 exactly as int64", () => {
    const acc = createAccumulator(agg("count", "int32", true));
    const big = [2 ** 32, 2 ** 33 + 5, 2 ** 53 - 1, 7];
    acc.merge(new GroupBatch(Int32Array.from([0, 1, 2, 3]), 4), [big], 4);
    expect([...acc.results(4)]).toEqual(big.map((n) => BigInt(n)));
  });
});

describe("exact float sums per group", () => {
  it("match ExactSum whether a group sums in its fixed-point window or outgrows it", () => {
    // Values of wildly different magnitudes need many partials: the group spills.
    const wild = [1e300, 1, -1e300, 1e-300, 3.5, 1e200, 7e-20, -1e200, 0.1, 1e100, 0.2, -1e100];
    const tame = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2];
    const ids = [...wild.map(() => 0), ...tame.map(() => 1)];
    const expected = [wild, tame].map((xs) => {
      const s = new ExactSum();
      for (const x of xs) s.add(x);
      return s.value();
    });
    expect(single(agg("sum", "float64"), ids, [...wild, ...tame])).toEqual(expected);
    for (let at = 0; at <= ids.length; at += 3) {
      expect(split(agg("sum", "float64"), ids, [...wild, ...tame], at)).toEqual(expected);
      expect(split(agg("sum", "float64"), ids, [...wild, ...tame], at, true)).toEqual(expected);
    }
  });

  it("carry an overflow to infinity and NaN as ExactSum does", () => {
    const ids = [0, 0, 1, 1, 1];
    const values = [Number.MAX_VALUE, Number.MAX_VALUE, 1, Number.NaN, 2];
    expect(single(agg("sum", "float64"), ids, values)).toEqual([Number.POSITIVE_INFINITY, Number.NaN]);
  });

  it("match ExactSum for any doubles, in one pass or merged from partial states", () => {
    const double = fc.oneof(
      fc.double({ noDefaultInfinity: true, noNaN: true }),
      fc.integer({ min: -1e6, max: 1e6 }).map((n) => n / 1000),
      fc.constantFrom(0, -0, 1e-310, 2 ** 900, -(2 ** -900), 5e-324),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), double), { minLength: 1, maxLength: 40 }), fc.nat(), (rows, cut) => {
        const groups = rows.map(([g]) => g);
        const values = rows.map(([, v]) => v);
        const expected = [0, 1, 2, 3].map((g) => {
          const s = new ExactSum();
          let any = false;
          rows.forEach(([h, v]) => {
            if (h === g) {
              s.add(v);
              any = true;
            }
          });
          return any ? s.value() + 0 : null;
        });
        const got = (xs: unknown[]) => xs.map((x) => (x === null ? null : (x as number) + 0));
        const n = Math.max(...groups) + 1;
        expect(got(single(agg("sum", "float64"), groups, values))).toEqual(expected.slice(0, n));
        expect(got(split(agg("sum", "float64"), groups, values, cut % (rows.length + 1)))).toEqual(expected.slice(0, n));
        expect(got(split(agg("sum", "float64"), groups, values, cut % (rows.length + 1), true))).toEqual(expected.slice(0, n));
      }),
    );
  });

  it("stay exact for values finer or far larger than a group's first value (its second window)", () => {
    // 0.0001 has 2^-66 for its last bit, which a window opened at 50.1234 cannot hold; 2^70 is
    // beyond its top. Mixed with values that fit, in both orders, over several batches.
    const values = Float64Array.from({ length: 30_000 }, (_, i) => (i % 997 === 0 ? 0.0001 : i % 1499 === 0 ? 2 ** 70 + 2 ** 20 : 50.1234 + (i % 100) / 1e4));
    const expected = new ExactSum();
    for (const v of values) expected.add(v);
    for (const order of [values, values.slice().reverse()]) {
      const acc = createAccumulator(agg("sum", "float64"));
      for (let at = 0; at < order.length; at += 7000) {
        const part = order.subarray(at, at + 7000);
        acc.update(new GroupBatch(new Int32Array(part.length), part.length), part as unknown as unknown[], 1);
      }
      expect([...acc.results(1)]).toEqual([expected.value()]);
    }
  });

  it("keep adding to a group's ExactSum once it left its windows, over later batches", () => {
    // 1e-300 is below the windows' range: group 0 moves to an ExactSum at its first value, and
    // every later value must follow it there (none may open a window of its own).
    const values = Float64Array.from({ length: 20_000 }, (_, i) => (i === 0 ? 1e-300 : 1.25 + (i % 7) / 8));
    const expected = new ExactSum();
    for (const v of values) expected.add(v);
    const acc = createAccumulator(agg("sum", "float64"));
    for (let at = 0; at < values.length; at += 5000) {
      const part = values.subarray(at, at + 5000);
      acc.update(new GroupBatch(new Int32Array(part.length), part.length), part as unknown as unknown[], 1);
    }
    expect([...acc.results(1)]).toEqual([expected.value()]);
  });

  it("match ExactSum for whole values (as products of int columns are) and the others mixed in, in one pass or merged", () => {
    const value = fc.oneof(
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
      fc.constantFrom(2 ** 31 + 1, -(2 ** 31) - 1, 2 ** 52, -0, 0.5, -7.25, 1e-300, 1e300, Number.NaN, Number.POSITIVE_INFINITY),
      fc.double({ noDefaultInfinity: true, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), value), { minLength: 1, maxLength: 60 }), fc.nat(), (rows, cut) => {
        const ids = rows.map(([g]) => g);
        const values = rows.map(([, v]) => v);
        const groups = Math.max(...ids) + 1;
        const expected = Array.from({ length: groups }, (_, g) => {
          const s = new ExactSum();
          for (const [h, v] of rows) if (h === g) s.add(v);
          // + 0: a sum of -0 alone is 0, as Spark's sum starts from 0.
          return ids.includes(g) ? s.value() + 0 : null;
        });
        expect(single(agg("sum", "float64"), ids, Float64Array.from(values) as unknown as unknown[])).toEqual(expected);
        expect(split(agg("sum", "float64"), ids, values, cut % (rows.length + 1), true)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("keep whole sums exact past 2^53, over more values than a double holds the sum of", () => {
    // 5e6 odd values near 2^31 in one group: their running sum passes 2^53, where a double can
    // no longer hold it; the whole sums are settled into the windows before that.
    const n = 5_000_000;
    const values = new Float64Array(n).map((_, i) => 2 ** 31 - 1 - 2 * (i % 3));
    const expected = new ExactSum();
    for (const v of values) expected.add(v);
    const acc = createAccumulator(agg("sum", "float64"));
    acc.update(new GroupBatch(new Int32Array(n), n), values as unknown as unknown[], 1);
    expect([...acc.results(1)]).toEqual([expected.value()]);
  });

  it("stay exact past the carries of a long group", () => {
    // 2^23 values 2^21 + 1 - k·2^-31 (the lowest 32-bit chunk nearly full, in varying bits), then
    // -(2^21 + 1)·2^23: the sum, -Σk·2^-31, is small enough to show any unit that the eight
    // carries between chunks lost or moved.
    const m = 2 ** 23;
    const k = (i: number) => 1 + 2 * (i % 1000);
    const values = new Float64Array(m + 1).map((_, i) => (i < m ? 2 ** 21 + 1 - k(i) * 2 ** -31 : -(2 ** 21 + 1) * m));
    let total = 0;
    for (let i = 0; i < m; i++) total += k(i);
    const acc = createAccumulator(agg("sum", "float64"));
    acc.update(new GroupBatch(new Int32Array(m + 1), m + 1), values as unknown as unknown[], 1);
    expect([...acc.results(1)]).toEqual([-total * 2 ** -31]);
  });
});
