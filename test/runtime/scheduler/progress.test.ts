import { describe, expect, it } from "vitest";
import { FaultPlan, parseFaults } from "../../../runtime/faults.ts";
import { runSummary, type StageMetrics } from "../../../runtime/metrics.ts";
import { progressReporter, stageBar } from "../../../runtime/progress.ts";

describe("stage progress", () => {
  it("draws Spark's bar: done tasks as '=', then '>', then the counts", () => {
    expect(stageBar(2, { tasks: 16, done: 5, running: 2 }, 16)).toBe("[Stage 2:=====>          (5 + 2) / 16]");
    expect(stageBar(0, { tasks: 4, done: 4, running: 0 }, 8)).toBe("[Stage 0:========(4 + 0) / 4]");
    expect(stageBar(1, { tasks: 3, done: 0, running: 3 }, 6)).toBe("[Stage 1:>     (0 + 3) / 3]");
  });

  it("prints plain lines per running stage when stderr is not a terminal", async () => {
    const written: string[] = [];
    const stream = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    const p = progressReporter({ stream, delayMs: 0, intervalMs: 10 });
    p.stageSubmitted(3, 4);
    p.taskStarted(3);
    p.taskStarted(3);
    p.taskEnded(3, true);
    await new Promise((r) => setTimeout(r, 40));
    p.stageCompleted(3);
    p.close();
    expect(written[0]).toBe("tsdf: stage 3: 1/4 tasks done, 1 running\n");
  });
});

describe("TSDF_FAULTS", () => {
  it("parses kinds, stages, partitions and repeat counts", () => {
    expect(parseFaults("kill-worker@2:0, fail-task@1:3x4")).toEqual([
      { kind: "kill-worker", stage: 2, partition: 0, times: 1 },
      { kind: "fail-task", stage: 1, partition: 3, times: 4 },
    ]);
    expect(parseFaults(undefined)).toEqual([]);
    expect(() => parseFaults("lose-block@1")).toThrow(/cannot read 'lose-block@1'/);
  });

  it("fires a fault on its first N chances only", () => {
    const plan = new FaultPlan(parseFaults("fail-task@1:0x2"));
    expect([1, 2, 3].map(() => plan.take("fail-task", 1, 0))).toEqual([true, true, false]);
    expect(plan.take("fail-task", 1, 1)).toBe(false);
  });
});

describe("run summary", () => {
  const stage = (over: Partial<StageMetrics>): StageMetrics => ({
    stage: 0, name: "x", tasks: 2, attempts: 2, failedAttempts: 0, rowsIn: 0, rowsOut: 0, bytesShuffled: 0, timeMs: 1, recomputedPartitions: [], ...over,
  });
  it("counts stages, tasks, retries, recomputations and shuffled bytes", () => {
    const line = runSummary({ pipeline: "p", workers: 2, partitions: 2, wallMs: 1234, inputs: [], stages: [stage({ failedAttempts: 1, bytesShuffled: 3 * 1024 * 1024 }), stage({ recomputedPartitions: [1] })] });
    expect(line).toBe("tsdf: 2 stages, 4 tasks (1 retried, 1 recomputed), 3.0 MiB shuffled, 1.23 s on 2 workers");
  });
});
