import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as b from "../../../plan/builder.ts";
import { scanInputBytes } from "../../../runtime/io/input-sizes.ts";
import { schemaOf, tempDir } from "./io-fixtures.ts";

describe("scanInputBytes", () => {
  it("sums the data files of each scanned path and leaves out paths with none", async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, "folder", "k=1"), { recursive: true });
    fs.writeFileSync(path.join(dir, "a.csv"), "id\n1\n2\n");
    fs.writeFileSync(path.join(dir, "folder", "k=1", "part-0.csv"), "id\n3\n");
    fs.writeFileSync(path.join(dir, "folder", "_SUCCESS"), "ignored");
    const s = schemaOf({ id: "int32" });
    const a = b.scan("csv", "a.csv", s, {});
    const joined = b.union(a, b.scan("csv", "folder", s, {}), false);
    const plan = { name: "p", params: [], sinks: [{ kind: "Output" as const, name: "o", input: b.union(joined, b.scan("csv", "missing.csv", s, {}), false) }] };
    expect(await scanInputBytes(plan, dir)).toEqual(new Map([["a.csv", 7], ["folder", 5]]));
  });
});
