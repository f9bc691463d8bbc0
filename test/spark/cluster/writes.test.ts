import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compilePipeline } from "../../../compiler/compile.ts";
import { optimize } from "../../../compiler/optimize/optimizer.ts";
import { planPhysical } from "../../../compiler/physical/plan-physical.ts";
import type { PipelinePlan, Sink } from "../../../plan/logical.ts";
import { serializePlan } from "../../../plan/serialize.ts";
import { batchesToColumns, columnsToRows } from "../../../runtime/exec/columns.ts";
import { readDataset } from "../../../runtime/io/read-dataset.ts";
import { createJob } from "../../../runtime/job.ts";
import { expectSameRows, type Row } from "../../differential/random-data.ts";
import { REMOTE } from "../cluster-run.ts";

/*
 * What Spark writes in each format reads back, with tsdf's readers, as what the local runtime
 * writes: the same rows, nulls, NaN and ±Infinity, dates, and strings with their spaces.
 */

const FIXTURES = resolve(import.meta.dirname, "../fixtures");
const work = mkdtempSync(join(tmpdir(), "tsdf-spark-writes-"));
let plan: PipelinePlan;
const dataDirs = { spark: join(work, "spark"), local: join(work, "local") };

beforeAll(async () => {
  plan = optimize(await compilePipeline(join(FIXTURES, "write-formats.ts"))).plan;
  const job = createJob(serializePlan(plan), planPhysical);
  for (const dir of Object.values(dataDirs)) cpSync(join(FIXTURES, "input"), join(dir, "input"), { recursive: true });
  await job.run({ remote: REMOTE, dataDir: dataDirs.spark, currentDate: "2024-06-30" });
  await job.run({ workers: 1, progress: false, dataDir: dataDirs.local, currentDate: "2024-06-30" });
}, 600_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function readBack(dataDir: string, sink: Extract<Sink, { kind: "Write" }>): Promise<Row[]> {
  const dir = join(dataDir, sink.path);
  const schema = sink.input.schema;
  const batches = await readDataset(dir, sink.path, sink.format, schema, { header: sink.options.header ?? true }, undefined, 1);
  return columnsToRows(batchesToColumns(batches, schema), schema);
}

describe("Spark's writes read back as the local runtime's", () => {
  for (const format of ["json", "csv", "parquet"] as const) {
    it(`write.${format}`, async () => {
      const sink = plan.sinks.find((s): s is Extract<Sink, { kind: "Write" }> => s.kind === "Write" && s.format === format);
      if (sink === undefined) throw new Error(`no ${format} write in the fixture`);
      const local = await readBack(dataDirs.local, sink);
      expect(local).toHaveLength(5);
      expectSameRows(await readBack(dataDirs.spark, sink), local, false);
    });
  }
});
