import * as arrow from "apache-arrow";
import { describe, expect, it } from "vitest";
import { concatColumns, decodeColumn, encodeColumn, gather, validityOf } from "../../../runtime/exec/columns.ts";
import { Utf8Decoder, utf8Dictionary } from "../../../runtime/exec/utf8-dictionary.ts";

const utf8 = { name: "s", type: "utf8" as const, nullable: true };
const roundTrip = (values: unknown[]) => decodeColumn([encodeColumn(values, utf8)], "utf8");

describe("utf8 columns", () => {
  it("round-trip ASCII strings, empty strings and nulls", () => {
    const values = ["id001", "", null, "a,b", "id0000000042", null];
    expect(roundTrip(values)).toEqual(values);
  });

  it("round-trip strings with multi-byte characters, surrogate pairs and lone surrogates", () => {
    const values = ["Straße", "🙂ok", "ascii", "日本語", "x\uD800y"];
    expect(roundTrip(values)).toEqual([...values.slice(0, 4), "x\uFFFDy"]);
  });

  it("write standard UTF-8 bytes that Arrow's own reader decodes", () => {
    const values = ["é", "plain", "€uro", "🙂"];
    const vector = arrow.makeVector(encodeColumn(values, utf8));
    expect(vector.toArray()).toEqual(values);
    expect(vector.data[0]?.values.length).toBe(new TextEncoder().encode(values.join("")).length);
  });

  it("decode a slice of a chunk (offsets not starting at 0)", () => {
    const vector = arrow.vectorFromArray(["skip", "me", "k1", "ü2", "k3"], new arrow.Utf8());
    expect(decodeColumn(vector.slice(2).data, "utf8")).toEqual(["k1", "ü2", "k3"]);
    const ascii = arrow.vectorFromArray(["skip", "k1", "k2"], new arrow.Utf8());
    expect(decodeColumn(ascii.slice(1).data, "utf8")).toEqual(["k1", "k2"]);
  });

  it("give a null row its null, whatever bytes its slot spans, looked up with the chunk's other rows", () => {
    // More rows than the JS path takes; the null slots span bytes equal to a real value ("b")
    // and to one no row has ("zz"), which must not enter the dictionary.
    const rows = Array.from({ length: 40 }, (_, i) => (i % 5 === 0 ? null : i % 2 === 0 ? "a" : "b"));
    const slot = (v: string | null, i: number) => v ?? (i % 10 === 0 ? "b" : "zz");
    const bytes = new TextEncoder().encode(rows.map(slot).join(""));
    const offsets = new Int32Array(rows.length + 1);
    rows.forEach((v, i) => {
      offsets[i + 1] = (offsets[i] as number) + slot(v, i).length;
    });
    const bitmap = new Uint8Array(8);
    rows.forEach((v, i) => {
      if (v !== null) bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
    });
    const data = arrow.makeData({ type: new arrow.Utf8(), length: rows.length, nullCount: 8, nullBitmap: bitmap, valueOffsets: offsets, data: bytes });
    const decoded = decodeColumn([data], "utf8", new Utf8Decoder());
    expect(decoded).toEqual(rows);
    expect([...(utf8Dictionary(decoded)?.values ?? [])].sort()).toEqual(["a", "b", null].sort());
    const codesOnly = decodeColumn([data], "utf8", new Utf8Decoder(), "codes");
    const dict = utf8Dictionary(codesOnly);
    expect(Array.from(dict?.codes ?? [], (c) => dict?.values[c])).toEqual(rows);
  });

  it("grow their buffer for long values", () => {
    const long = "x".repeat(10_000);
    const values = ["a", long, `${long}é`, "b"];
    expect(roundTrip(values)).toEqual(values);
  });
});

describe("gather", () => {
  it("keeps a typed column typed when every row is present, and gives null for -1 otherwise", () => {
    const ints = Int32Array.from([10, 20, 30]);
    const picked = gather(ints as unknown as unknown[], [2, 0, 0]);
    expect(picked).toBeInstanceOf(Int32Array);
    expect(Array.from(picked)).toEqual([30, 10, 10]);
    expect(gather(ints as unknown as unknown[], [1, -1])).toEqual([20, null]);
    const big = BigInt64Array.from([1n, 2n ** 60n]);
    expect(Array.from(gather(big as unknown as unknown[], [1]))).toEqual([2n ** 60n]);
    expect(gather(["a", null, "c"], [2, -1, 1])).toEqual(["c", null, null]);
  });

  it("keeps a typed column typed with -1 rows as its validity's nulls when its reader takes that", () => {
    const floats = Float64Array.from([0.5, -2, 8]);
    const picked = gather(floats as unknown as unknown[], [2, -1, 0, -1], "typedWithNulls");
    expect(picked).toBeInstanceOf(Float64Array);
    expect(Array.from(validityOf(picked) ?? [])).toEqual([1, 0, 1, 0]);
    expect([picked[0], picked[2]]).toEqual([8, 0.5]);
    // Every row present: no validity.
    expect(validityOf(gather(floats as unknown as unknown[], [1], "typedWithNulls"))).toBeUndefined();
  });
});

describe("numeric columns with nulls", () => {
  const field = { name: "v", type: "int32" as const, nullable: true };
  const chunks = [encodeColumn([3, null, 5], field), encodeColumn([null, 7], field)];

  it("decode to null in a JS array, or typed with a validity when their reader takes that", () => {
    expect(decodeColumn(chunks, "int32")).toEqual([3, null, 5, null, 7]);
    const typed = decodeColumn(chunks, "int32", undefined, "typedWithNulls");
    expect(typed).toBeInstanceOf(Int32Array);
    expect(Array.from(validityOf(typed) ?? [])).toEqual([1, 0, 1, 0, 1]);
    expect([typed[0], typed[2], typed[4]]).toEqual([3, 5, 7]);
    // A slice of a chunk reads its bitmap from the slice's offset.
    const sliced = decodeColumn([arrow.makeVector(chunks[0] as arrow.Data<arrow.Int32>).slice(1).data[0] as arrow.Data], "int32", undefined, "typedWithNulls");
    expect(Array.from(validityOf(sliced) ?? [])).toEqual([0, 1]);
    expect(sliced[1]).toBe(5);
  });
});

describe("concatColumns", () => {
  it("keeps typed columns typed, and strings decoded through one dictionary on it", () => {
    const decoder = new Utf8Decoder();
    const part = (ints: number[], strings: string[]) => ({
      length: ints.length,
      columns: [Int32Array.from(ints) as unknown as unknown[], decodeColumn([encodeColumn(strings, utf8)], "utf8", decoder)],
    });
    const joined = concatColumns([part([1, 2], ["b", "a"]), part([3], ["c"]), part([4, 5], ["a", "b"])], 2);
    const [ints, strings] = joined.columns as [unknown[], unknown[]];
    expect(ints).toBeInstanceOf(Int32Array);
    expect(Array.from(ints)).toEqual([1, 2, 3, 4, 5]);
    expect(strings).toEqual(["b", "a", "c", "a", "b"]);
    expect(Array.from(utf8Dictionary(strings)?.codes ?? [])).toEqual([0, 1, 2, 1, 0]);
    // Parts of different dictionaries (or none) concatenate plainly.
    const other = concatColumns([part([1], ["x"]), { length: 1, columns: [[2], ["y"]] }], 2);
    expect(other.columns[0]).toEqual([1, 2]);
    expect(utf8Dictionary(other.columns[1] as unknown[])).toBeUndefined();
  });
});
