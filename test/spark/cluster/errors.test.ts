import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compilePipelines } from "../../../compiler/compile.ts";
import { optimize } from "../../../compiler/optimize/optimizer.ts";
import { planPhysical } from "../../../compiler/physical/plan-physical.ts";
import type { PipelinePlan } from "../../../plan/logical.ts";
import { serializePlan } from "../../../plan/serialize.ts";
import { createJob } from "../../../runtime/job.ts";
import { REMOTE } from "../cluster-run.ts";

/* Spark's failures come back as TsdfErrors that name what failed; a failed write keeps the previous output. */

const FIXTURES = resolve(import.meta.dirname, "../fixtures");
const work = mkdtempSync(join(tmpdir(), "tsdf-spark-errors-"));
let semantics: PipelinePlan;
let writeOnce: PipelinePlan;
let overwrite: PipelinePlan;

beforeAll(async () => {
  const plans = await compilePipelines(["semantics.ts", "write-once.ts", "overwrite-failfast.ts"].map((f) => join(FIXTURES, f)));
  [semantics, writeOnce, overwrite] = plans.map((p) => optimize(p).plan) as [PipelinePlan, PipelinePlan, PipelinePlan];
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every file under `dir` with its size and modification time: what a failed run must not touch. */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .sort()
    .map((f) => {
      const st = statSync(join(dir, f));
      return `${f} ${st.size} ${st.mtimeMs}`;
    });
}

describe("errors from Spark", () => {
  it("a missing input fails naming the file and the output that needed it", async () => {
    const empty = join(work, "empty");
    mkdirSync(empty);
    const job = createJob(serializePlan(semantics), planPhysical);
    await expect(job.run({ remote: REMOTE, dataDir: empty, currentDate: "2024-06-30" })).rejects.toMatchObject({
      code: "TSDF7004",
      message: expect.stringMatching(/^Spark failed computing output "mapped": .*PATH_NOT_FOUND.*input\/semantics\.csv/),
      notes: ["while reading input/semantics.csv"],
    });
  });

  it("writes with partitionBy, and a failed errorIfExists write leaves the previous output as it was", async () => {
    const data = join(work, "write-once");
    mkdirSync(join(data, "input"), { recursive: true });
    writeFileSync(join(data, "input/rows.csv"), "id,s\n1,a\n2,\n3,b\n");
    const job = createJob(serializePlan(writeOnce), planPhysical);
    await job.run({ remote: REMOTE, dataDir: data, currentDate: "2024-06-30" });
    const out = join(data, "output/once");
    expect(readdirSync(out).filter((f) => !f.startsWith(".")).sort()).toEqual(["_SUCCESS", "loud=A", "loud=B", "loud=NONE"]);
    const before = snapshot(out);
    await expect(job.run({ remote: REMOTE, dataDir: data, currentDate: "2024-06-30" })).rejects.toMatchObject({
      code: "TSDF7004",
      message: expect.stringMatching(/^Spark failed writing output\/once: .*already exists/i),
    });
    expect(snapshot(out)).toEqual(before);
  });

  it("a failed overwrite leaves the previous output as it was, and a good one replaces it", async () => {
    const data = join(work, "overwrite");
    mkdirSync(join(data, "input"), { recursive: true });
    const input = join(data, "input/rows.csv");
    writeFileSync(input, "id,s\n1,a\n2,b\n");
    const job = createJob(serializePlan(overwrite), planPhysical);
    const opts = { remote: REMOTE, dataDir: data, currentDate: "2024-06-30" };
    await job.run(opts);
    const out = join(data, "output/table");
    const first = snapshot(out);
    expect(first.filter((f) => f.startsWith("s=")).length).toBeGreaterThan(1);
    // A row without its non-nullable 's' fails the FAILFAST read while Spark computes the rows.
    writeFileSync(input, "id,s\n1,a\n3,\n");
    await expect(job.run(opts)).rejects.toMatchObject({
      code: "TSDF7004",
      message: expect.stringMatching(/^Spark failed writing output\/table: .*FAILFAST/),
      notes: ["the previous output of output/table is as it was"],
    });
    expect(snapshot(out)).toEqual(first);
    writeFileSync(input, "id,s\n5,c\n");
    await job.run(opts);
    expect(readdirSync(out).filter((f) => !f.startsWith(".")).sort()).toEqual(["_SUCCESS", "s=c"]);
    // Nothing but the emptied staging folder is left beside the output.
    expect(readdirSync(join(data, "output")).sort()).toEqual([".table.tsdf-staging", "table"]);
  });
});
