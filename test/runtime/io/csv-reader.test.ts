import { describe, expect, it } from "vitest";
import { TsdfError } from "../../../plan/errors.ts";
import { readCsv } from "../../../runtime/io/csv-reader.ts";
import { names, rowsOf, schemaOf, tempFile } from "./io-fixtures.ts";

const people = schemaOf({ id: "int32", name: "utf8?", score: "float64?" });

async function read(content: string, schema = people, options = {}, metrics?: { malformedRows: number; droppedRows: number }) {
  const file = tempFile("data.csv", content);
  const batches = await readCsv(file, "input/data.csv", schema, options, names(schema), 1, metrics);
  return rowsOf(batches, schema);
}

async function readError(content: string, schema = people, options = {}): Promise<TsdfError> {
  try {
    await read(content, schema, options);
  } catch (e) {
    if (e instanceof TsdfError) return e;
    throw e;
  }
  throw new Error("expected a TsdfError");
}

describe("readCsv quoting and layout", () => {
  it("reads quoted fields with delimiters and doubled quotes", async () => {
    const rows = await read('id,name,score\n1,"Smith, ""Jo""",2.5\n');
    expect(rows).toEqual([{ id: 1, name: 'Smith, "Jo"', score: 2.5 }]);
  });

  it("reads multiline quoted fields", async () => {
    const rows = await read('id,name,score\n1,"line one\nline two\r\nthree",1\n2,b,2\n');
    expect(rows.map((r) => r.name)).toEqual(["line one\nline two\r\nthree", "b"]);
  });

  it("skips a UTF-8 byte order mark before the header", async () => {
    const rows = await read("\ufeffid,name,score\n7,é,0\n");
    expect(rows).toEqual([{ id: 7, name: "é", score: 0 }]);
  });

  it("accepts CRLF line endings, also after a quoted field", async () => {
    const rows = await read('id,name,score\r\n1,"a",1.5\r\n2,b,\r\n');
    expect(rows).toEqual([
      { id: 1, name: "a", score: 1.5 },
      { id: 2, name: "b", score: null },
    ]);
  });

  it("keeps leading and trailing spaces of values", async () => {
    const rows = await read("id,name,score\n1,  padded  ,1\n");
    expect(rows[0]?.name).toBe("  padded  ");
  });

  it("reads an empty unquoted field as null and a quoted empty one as the empty string", async () => {
    const rows = await read('id,name,score\n1,,\n2,"",""\n');
    expect(rows).toEqual([
      { id: 1, name: null, score: null },
      { id: 2, name: "", score: null },
    ]);
  });

  it("honours a custom delimiter and nullValue", async () => {
    const rows = await read("id;name;score\n1;NA;NA\n2;x;3\n", people, { delimiter: ";", nullValue: "NA" });
    expect(rows).toEqual([
      { id: 1, name: null, score: null },
      { id: 2, name: "x", score: 3 },
    ]);
  });

  it("reads a file without a header when header is false", async () => {
    const rows = await read("1,a,1\n2,b,2", people, { header: false });
    expect(rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it("skips blank lines between records", async () => {
    const rows = await read("id,name,score\n1,a,1\n\n\r\n2,b,2\n");
    expect(rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it("reads blank lines of a one-column file as nulls", async () => {
    const one = schemaOf({ v: "utf8?" });
    const rows = await read("v\na\n\nb\n", one);
    expect(rows.map((r) => r.v)).toEqual(["a", null, "b"]);
  });

  it("counts rows when no column is requested", async () => {
    const file = tempFile("data.csv", "id,name,score\n1,a,2\n2,b,3\n3,c,4\n");
    const batches = await readCsv(file, "data.csv", people, {}, [], 2);
    expect(batches.map((b) => b.numCols)).toEqual([0, 0]);
    expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(3);
  });

  it("returns only the requested columns, in the requested order", async () => {
    const file = tempFile("data.csv", "id,name,score\n1,a,2\n");
    const rows = rowsOf(await readCsv(file, "data.csv", people, {}, ["score", "id"], 1), people);
    expect(rows).toEqual([{ score: 2, id: 1 }]);
    expect(Object.keys(rows[0] ?? {})).toEqual(["score", "id"]);
  });
});

describe("readCsv errors", () => {
  it("reports a missing file with TSDF3001", async () => {
    await expect(readCsv("/nonexistent/x.csv", "input/x.csv", people, {}, ["id"], 1)).rejects.toMatchObject({
      code: "TSDF3001",
      message: "input file not found: input/x.csv",
    });
  });

  it("reports a header mismatch with the line and column of the first wrong name", async () => {
    const e = await readError("id,nmae,score\n1,a,1\n");
    expect(e.code).toBe("TSDF3002");
    expect(e.format()).toContain("input/data.csv:1:4: error TSDF3002: header does not match the schema: expected id,name,score, found id,nmae,score");
    expect(e.location).toMatchObject({ file: "input/data.csv", line: 1, column: 4 });
  });

  it("reports a header with a missing column", async () => {
    const e = await readError("id,name\n1,a\n");
    expect(e.code).toBe("TSDF3002");
    expect(e.message).toContain("found id,name");
  });

  it("FAILFAST names the file, physical line, column, value, type and column name", async () => {
    const e = await readError('id,name,score\n1,"two\nlines",1\n2,b,12abc\n', people, { mode: "FAILFAST" });
    expect(e.code).toBe("TSDF3003");
    expect(e.format()).toContain("input/data.csv:4:5: error TSDF3003: cannot parse '12abc' as float64 for column 'score'");
    expect(e.location).toMatchObject({ file: "input/data.csv", line: 4, column: 5 });
  });

  it("FAILFAST places a bad field after a quoted field with line breaks on its own physical line", async () => {
    const e = await readError('id,name,score\n1,"two\nlines\nhere",x1\n', people, { mode: "FAILFAST" });
    expect(e.location).toMatchObject({ file: "input/data.csv", line: 4, column: 7 });
    expect(e.location?.lineText).toBe('here",x1');
  });

  it("FAILFAST rejects a row with the wrong number of fields", async () => {
    const e = await readError("id,name,score\n1,a\n", people, { mode: "FAILFAST" });
    expect(e.code).toBe("TSDF3003");
    expect(e.message).toContain("expected 3 fields, found 2");
    expect(e.location?.line).toBe(2);
  });

  it("FAILFAST rejects an empty field in a non-nullable column", async () => {
    const e = await readError("id,name,score\n,a,1\n", people, { mode: "FAILFAST" });
    expect(e.message).toContain("non-nullable column 'id'");
    expect(e.location).toMatchObject({ line: 2, column: 1 });
  });

  it("FAILFAST counts columns in characters, not bytes", async () => {
    const e = await readError("id,name,score\n1,ééé,x\n", people, { mode: "FAILFAST" });
    expect(e.location?.column).toBe(7);
  });

  it("FAILFAST reports an unclosed quote", async () => {
    const e = await readError('id,name,score\n1,"abc,1\n', people, { mode: "FAILFAST" });
    expect(e.message).toContain("not closed");
  });

  it("rejects a multi-character delimiter", async () => {
    const e = await readError("id||name\n", people, { delimiter: "||" });
    expect(e.code).toBe("TSDF3005");
  });
});

describe("readCsv parse modes", () => {
  const content = "id,name,score\n1,a,1.5\n2,b,oops\nx,c,3\n4,d\n5,e,5\n";

  it("PERMISSIVE (the default) nulls bad fields and counts malformed rows", async () => {
    const metrics = { malformedRows: 0, droppedRows: 0 };
    const rows = await read(content, people, {}, metrics);
    expect(rows).toEqual([
      { id: 1, name: "a", score: 1.5 },
      { id: 2, name: "b", score: null },
      { id: 4, name: "d", score: null },
      { id: 5, name: "e", score: 5 },
    ]);
    // "x" in the non-nullable id column cannot become null: that row is dropped.
    expect(metrics).toEqual({ malformedRows: 3, droppedRows: 1 });
  });

  it("PERMISSIVE keeps the raw record in a declared _corrupt_record column", async () => {
    const schema = schemaOf({ id: "int32?", name: "utf8?", score: "float64?", _corrupt_record: "utf8?" });
    const rows = await read('id,name,score\n1,a,1\n2,"b\nb",bad\n3,c\n', schema);
    expect(rows).toEqual([
      { id: 1, name: "a", score: 1, _corrupt_record: null },
      { id: 2, name: "b\nb", score: null, _corrupt_record: '2,"b\nb",bad' },
      { id: 3, name: "c", score: null, _corrupt_record: "3,c" },
    ]);
  });

  it("DROPMALFORMED drops malformed rows and counts them", async () => {
    const metrics = { malformedRows: 0, droppedRows: 0 };
    const rows = await read(content, people, { mode: "DROPMALFORMED" }, metrics);
    expect(rows.map((r) => r.id)).toEqual([1, 5]);
    expect(metrics).toEqual({ malformedRows: 0, droppedRows: 3 });
  });

  it("validates columns that are not requested, so projection never changes the rows", async () => {
    const file = tempFile("data.csv", content);
    const all = rowsOf(await readCsv(file, "d.csv", people, { mode: "DROPMALFORMED" }, names(people), 1), people);
    const idOnly = rowsOf(await readCsv(file, "d.csv", people, { mode: "DROPMALFORMED" }, ["id"], 1), people);
    expect(idOnly).toEqual(all.map((r) => ({ id: r.id })));
  });

  it("FAILFAST stops at the first malformed row", async () => {
    const e = await readError(content, people, { mode: "FAILFAST" });
    expect(e.format()).toContain("input/data.csv:3:5: error TSDF3003: cannot parse 'oops' as float64 for column 'score'");
  });
});
