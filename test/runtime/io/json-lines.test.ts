import { describe, expect, it } from "vitest";
import { TsdfError } from "../../../plan/errors.ts";
import { readJsonLines } from "../../../runtime/io/json-lines.ts";
import { names, rowsOf, schemaOf, tempFile } from "./io-fixtures.ts";

const schema = schemaOf({ id: "int64", name: "utf8?", when: "date32?" });

async function read(text: string, s = schema, options = {}, metrics?: { malformedRows: number; droppedRows: number }) {
  return rowsOf(await readJsonLines(tempFile("d.json", text), "in/d.json", s, options, names(s), 1, metrics), s);
}

async function readError(text: string, options = {}): Promise<TsdfError> {
  try {
    await read(text, schema, options);
  } catch (e) {
    if (e instanceof TsdfError) return e;
    throw e;
  }
  throw new Error("expected a TsdfError");
}

describe("readJsonLines", () => {
  it("reads objects in any key order, ignoring unknown keys, missing keys as null", async () => {
    const rows = await read('{"name":"a","id":1,"extra":[1,{"x":"}"}]}\n\n{"id":2}\r\n');
    expect(rows).toEqual([
      { id: 1n, name: "a", when: null },
      { id: 2n, name: null, when: null },
    ]);
  });

  it("decodes string escapes and keeps int64 digits exact", async () => {
    const rows = await read('{"id":9223372036854775807,"name":"tab\\tquote\\"\\u00e9","when":"2024-02-29"}');
    expect(rows).toEqual([{ id: 9223372036854775807n, name: 'tab\tquote"é', when: 19782 }]);
  });

  it("gives utf8 columns the JSON text of numbers, booleans and nested values", async () => {
    const rows = await read('{"id":1,"name":{"a":[1, 2]}}\n{"id":2,"name":1.50}\n{"id":3,"name":true}');
    expect(rows.map((r) => r.name)).toEqual(['{"a":[1, 2]}', "1.50", "true"]);
  });

  it("FAILFAST reports the physical line and column of a bad value", async () => {
    const e = await readError('{"id":1}\n\n{"id":2, "when":"2023-02-30"}', { mode: "FAILFAST" });
    expect(e.code).toBe("TSDF3003");
    expect(e.format()).toContain("in/d.json:3:17: error TSDF3003: cannot parse '2023-02-30' as date32 for column 'when'");
    expect(e.location).toMatchObject({ file: "in/d.json", line: 3, column: 17 });
  });

  it("FAILFAST reports malformed JSON", async () => {
    const e = await readError('{"id":1}\n{"id":2,', { mode: "FAILFAST" });
    expect(e.format()).toMatch(/^in\/d\.json:2:\d+: error TSDF3003: malformed JSON record/);
  });

  it("FAILFAST rejects a missing non-nullable value", async () => {
    const e = await readError('{"name":"x"}', { mode: "FAILFAST" });
    expect(e.message).toContain("missing value for non-nullable column 'id'");
  });

  it("PERMISSIVE nulls bad values and fills _corrupt_record", async () => {
    const s = schemaOf({ id: "int64?", name: "utf8?", _corrupt_record: "utf8?" });
    const metrics = { malformedRows: 0, droppedRows: 0 };
    const rows = await read('{"id":1,"name":"a"}\n{"id":"two","name":"b"}\nnot json\n', s, {}, metrics);
    expect(rows).toEqual([
      { id: 1n, name: "a", _corrupt_record: null },
      { id: null, name: "b", _corrupt_record: '{"id":"two","name":"b"}' },
      { id: null, name: null, _corrupt_record: "not json" },
    ]);
    expect(metrics.malformedRows).toBe(2);
  });

  it("DROPMALFORMED drops bad rows and counts them", async () => {
    const metrics = { malformedRows: 0, droppedRows: 0 };
    const rows = await read('{"id":1}\n{"id":1.5}\n[1]\n{"id":3}', schema, { mode: "DROPMALFORMED" }, metrics);
    expect(rows.map((r) => r.id)).toEqual([1n, 3n]);
    expect(metrics.droppedRows).toBe(2);
  });

  it("reads NaN and Infinity strings into float64 columns but no other strings", async () => {
    const s = schemaOf({ f: "float64?" });
    const rows = await read('{"f":"NaN"}\n{"f":"-Infinity"}\n{"f":2.5e3}\n{"f":"1.5"}', s);
    expect(rows.map((r) => r.f)).toEqual([Number.NaN, Number.NEGATIVE_INFINITY, 2500, null]);
  });

  it("reports a missing file with TSDF3001", async () => {
    await expect(readJsonLines("/nope/x.json", "x.json", schema, {}, ["id"], 1)).rejects.toMatchObject({ code: "TSDF3001" });
  });
});
