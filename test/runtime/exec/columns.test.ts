import * as arrow from "apache-arrow";
import { describe, expect, it } from "vitest";
import { decodeColumn, encodeColumn, gather } from "../../../runtime/exec/columns.ts";

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
});
