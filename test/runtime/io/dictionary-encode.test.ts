import * as arrow from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeColumn, encodeColumn } from "../../../runtime/exec/columns.ts";
import { KeyIndex } from "../../../runtime/exec/keys.ts";
import { Utf8Decoder, utf8Dictionary } from "../../../runtime/exec/utf8-dictionary.ts";
import { folds } from "../../../runtime/exec/wasm/heap.ts";
import { DictionaryEncoder, dictionaryEncode } from "../../../runtime/io/dictionary-encode.ts";
import { batchOf } from "../../../runtime/io/row-assembler.ts";
import { decodeBuffer, encodeBatches } from "../../../runtime/shuffle/blocks.ts";

const utf8 = (values: readonly (string | null)[]) => encodeColumn(values, { name: "s", type: "utf8", nullable: true });
const schema = new arrow.Schema([new arrow.Field("s", new arrow.Utf8(), true), new arrow.Field("n", new arrow.Int32(), false)]);

/** One batch per list of strings, with an int column beside it. */
function batches(columns: readonly (readonly (string | null)[])[]): arrow.RecordBatch[] {
  return columns.map((values) => batchOf(schema, [utf8(values), arrow.makeData({ type: new arrow.Int32(), length: values.length, data: Int32Array.from(values, (_, i) => i) })], values.length));
}

/** Each batch's strings, read back through Arrow's own vectors. */
function strings(bs: readonly arrow.RecordBatch[]): (string | null)[][] {
  return bs.map((b) => Array.from({ length: b.numRows }, (_, i) => b.getChildAt(0)?.get(i) ?? null));
}

describe("dictionaryEncode", () => {
  it("holds repeated strings as int32 indices into one dictionary every batch shares", () => {
    const input = batches([
      ["b", "a", null, "b"],
      ["c", "a", "c"],
    ]);
    const out = dictionaryEncode(input);
    const [first, second] = out.map((b) => b.data.children[0] as arrow.Data);
    expect(arrow.DataType.isDictionary(first?.type)).toBe(true);
    expect(first?.dictionary).toBe(second?.dictionary);
    expect(first?.dictionary?.toArray()).toEqual(["b", "a", null, "c"]);
    expect(Array.from(second?.values as Int32Array)).toEqual([3, 1, 3]);
    expect(strings(out)).toEqual(strings(input));
    // The other columns keep their values, in buffers of their own (not views that keep a reader's buffer alive).
    const kept = out[0]?.data.children[1]?.values as Int32Array;
    const given = input[0]?.data.children[1]?.values as Int32Array;
    expect(Array.from(kept)).toEqual(Array.from(given));
    expect(kept.buffer).not.toBe(given.buffer);
  });

  it("leaves a column of nearly all distinct strings plain", () => {
    const out = dictionaryEncode(batches([Array.from({ length: 140_000 }, (_, i) => `t${i}`)]));
    expect(arrow.DataType.isUtf8(out[0]?.schema.fields[0]?.type)).toBe(true);
  });

  it("encodes batches added a few at a time as it encodes them all at once", () => {
    const columns = [["b", "a"], ["c", null, "a"], ["a"], ["d", "b"]];
    const encoder = new DictionaryEncoder(schema);
    encoder.add(batches(columns.slice(0, 2)));
    encoder.add(batches(columns.slice(2)));
    const out = encoder.finish();
    expect(strings(out)).toEqual(columns);
    expect(out[3]?.data.children[0]?.dictionary).toBe(out[0]?.data.children[0]?.dictionary);
    expect(out.map((b) => Array.from(b.data.children[0]?.values as Int32Array))).toEqual(dictionaryEncode(batches(columns)).map((b) => Array.from(b.data.children[0]?.values as Int32Array)));
  });

  it("gives back plain strings for the earlier batches of a column that turns out nearly all distinct", () => {
    // Nearly all distinct once 2^17 rows are in: 10,000 repeating rows, then distinct ones.
    const repeating = Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? null : `r${i % 10}`));
    const distinct = Array.from({ length: 150_000 }, (_, i) => `d${i}`);
    const encoder = new DictionaryEncoder(schema);
    encoder.add(batches([repeating, repeating]));
    encoder.add(batches([distinct]));
    const out = encoder.finish();
    expect(arrow.DataType.isUtf8(out[0]?.schema.fields[0]?.type)).toBe(true);
    expect(out.every((b) => arrow.DataType.isUtf8(b.data.children[0]?.type))).toBe(true);
    expect(strings(out)).toEqual([repeating, repeating, distinct]);
  });

  it("keeps its dictionary through an Arrow IPC block (how tasks on workers get it)", () => {
    const out = dictionaryEncode(batches([["x", "y", "x"], ["y", null]]));
    const back = decodeBuffer(encodeBatches(out[0]?.schema as arrow.Schema, out), 0, 0);
    expect(arrow.DataType.isDictionary(back[0]?.schema.fields[0]?.type)).toBe(true);
    expect(strings(back)).toEqual([["x", "y", "x"], ["y", null]]);
  });
});

describe("decoding dictionary-encoded chunks", () => {
  it("gives the values and codes plain chunks give, for any strings, nulls and slicing", () => {
    const value = fc.option(fc.constantFrom("a", "b", "é", "🙂", ""), { nil: null, freq: 5 });
    fc.assert(
      fc.property(fc.array(fc.array(value, { maxLength: 30 }), { minLength: 1, maxLength: 4 }), fc.nat(5), (columns, cut) => {
        const plain = batches(columns).map((b) => b.data.children[0] as arrow.Data);
        const encoded = dictionaryEncode(batches(columns)).map((b) => b.data.children[0] as arrow.Data);
        const from = (d: arrow.Data) => Math.min(cut, d.length);
        const sliced = encoded.map((d) => d.slice(from(d), d.length - from(d)));
        const plainSliced = plain.map((d) => d.slice(from(d), d.length - from(d)));
        for (const [a, b] of [
          [plain, encoded],
          [plainSliced, sliced],
        ] as const) {
          const da = new Utf8Decoder();
          const db = new Utf8Decoder();
          a.forEach((chunk, k) => {
            const x = decodeColumn([chunk], "utf8", da);
            const y = decodeColumn([b[k] as arrow.Data], "utf8", db);
            expect(y).toEqual(x);
            expect(Array.from(utf8Dictionary(y)?.codes ?? [])).toEqual(Array.from(utf8Dictionary(x)?.codes ?? []));
          });
        }
      }),
    );
  });

  it("decodes long chunks, with and without nulls, as plain ones while new entries grow the heap", () => {
    const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    for (const withNull of [true, false]) {
      // Values long enough that adding them to the decoder's pool must grow the heap mid-chunk.
      const before = folds.memory.buffer.byteLength;
      const distinct = Array.from({ length: 2_000 }, (_, i) => `${"v".repeat(Math.ceil(before / 2_000))}${i}`);
      const dictionary = arrow.makeVector(utf8(distinct) as arrow.Data<arrow.Utf8>);
      const indices = Int32Array.from({ length: 6_000 }, (_, i) => (i * 7919) % distinct.length);
      const column = Array.from(indices, (d, i) => (withNull && i === 3_000 ? null : (distinct[d] as string)));
      const nullBitmap = withNull ? Uint8Array.from({ length: 750 }, (_, k) => (k === 375 ? 0xfe : 0xff)) : undefined;
      const encoded = arrow.makeData({ type, length: indices.length, data: indices, dictionary, ...(nullBitmap && { nullBitmap }) });
      const decode = (chunks: arrow.Data[], codesOnly: boolean) => {
        const decoder = new Utf8Decoder();
        const out = decodeColumn(chunks, "utf8", decoder, codesOnly ? "codes" : "values");
        decoder.free();
        return out;
      };
      const y = decode([encoded], true);
      // Looking its entries up grew the heap (with a null, the loop that reads them through a view; without, the one in WebAssembly).
      expect(folds.memory.buffer.byteLength).toBeGreaterThan(before);
      const x = decode([utf8(column)], true);
      const codesOf = (c: readonly unknown[]) => Array.from(utf8Dictionary(c)?.codes ?? []);
      expect(codesOf(y)).toEqual(codesOf(x));
      expect(codesOf(y).map((c) => utf8Dictionary(y)?.values[c] ?? null)).toEqual(column);
      expect(decode([encoded], false)).toEqual(column);
    }
  });

  it("codes values in order of first use, not dictionary order, so groups keep first-seen order", () => {
    // A dictionary made elsewhere (sorted, with an unused entry): rows use entry 2 first.
    const dictionary = arrow.makeVector(utf8(["a", "b", "c", "unused"]) as arrow.Data<arrow.Utf8>);
    const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    const chunk = arrow.makeData({ type, length: 4, data: Int32Array.from([2, 0, 2, 1]), dictionary });
    const column = decodeColumn([chunk], "utf8");
    expect(column).toEqual(["c", "a", "c", "b"]);
    expect(utf8Dictionary(column)?.values).toEqual(["c", "a", "b"]);
    expect(Array.from(new KeyIndex(1).addRows([column], 4))).toEqual([0, 1, 0, 2]);
  });
});
