/*
 * The driver's end-of-run summary of malformed and dropped input rows: one stderr line per input
 * whose reader counted any, none when every row parsed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { planPhysical } from "../../../compiler/physical/plan-physical.ts";
import * as b from "../../../plan/builder.ts";
import type { ParseMode, PipelinePlan } from "../../../plan/logical.ts";
import { metricsSummary, runPipeline } from "../../../runtime/driver.ts";
import { schemaOf, tempDir } from "./io-fixtures.ts";

const schema = schemaOf({ id: "int32", amount: "float64?" });

async function run(csv: string, mode: ParseMode, partitions = 2): Promise<{ rows: number; err: string[] }> {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, "input"));
  fs.writeFileSync(path.join(dir, "input", "sales.csv"), csv);
  const plan: PipelinePlan = { name: "t", params: [], sinks: [{ kind: "Output", name: "o", input: b.scan("csv", "input/sales.csv", schema, { header: true, mode }) }] };
  const err: string[] = [];
  const { outputs } = await runPipeline(planPhysical(plan, { partitions }), { dataDir: dir, currentDate: "2024-01-01", params: {}, out: () => {}, err: (l) => err.push(l) });
  return { rows: outputs.o?.length ?? 0, err };
}

const bad = "id,amount\n1,1.5\nx,2\n3,oops\n4,4\n";

describe("run metrics", () => {
  it("reports PERMISSIVE's malformed rows (a bad non-nullable field drops its row)", async () => {
    const r = await run(bad, "PERMISSIVE");
    expect(r.rows).toBe(3);
    expect(r.err).toEqual(["tsdf: input/sales.csv: 2 malformed rows, 1 dropped (PERMISSIVE)"]);
  });

  it("reports DROPMALFORMED's dropped rows", async () => {
    const r = await run(bad, "DROPMALFORMED", 3);
    expect(r.rows).toBe(2);
    expect(r.err).toEqual(["tsdf: input/sales.csv: 2 dropped (DROPMALFORMED)"]);
  });

  it("says nothing when every row parsed", async () => {
    expect((await run("id,amount\n1,1.5\n2,\n", "PERMISSIVE")).err).toEqual([]);
  });

  it("formats one line per input with counts", () => {
    expect(metricsSummary([{ path: "a.csv", mode: "PERMISSIVE", malformedRows: 1, droppedRows: 0 }, { path: "b.json", mode: "FAILFAST", malformedRows: 0, droppedRows: 0 }])).toEqual([
      "tsdf: a.csv: 1 malformed row (PERMISSIVE)",
    ]);
  });
});
