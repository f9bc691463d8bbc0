/** What a run measures per stage and per input, for `--metrics <file.json>` and the summary line on stderr. */
import type { ParseMode } from "../plan/logical.ts";

export interface StageMetrics {
  readonly stage: number;
  /** What the stage computes: `ScanExec #3 input/sales.csv`, `RepartitionExec #7 hash(k)`. */
  readonly name: string;
  readonly tasks: number;
  /** Task launches, retries and recomputations included. */
  attempts: number;
  failedAttempts: number;
  rowsIn: number;
  rowsOut: number;
  /** Bytes of map output written for an exchange (0 for other stages). */
  bytesShuffled: number;
  timeMs: number;
  /** Partitions computed again after their blocks were lost, in the order it happened. */
  readonly recomputedPartitions: number[];
}

/** What the reads of one input counted, over all its partitions (scans of one file in one mode count once). */
export interface InputMetrics {
  readonly path: string;
  readonly mode: ParseMode;
  malformedRows: number;
  droppedRows: number;
  /** Bytes the readers decoded (CSV/JSON: the bytes parsed; Parquet: the column chunks read). */
  bytesDecoded: number;
  rowGroupsRead: number;
  /** Parquet row groups the scan's filters proved empty, never read. */
  rowGroupsSkipped: number;
}

export interface RunMetrics {
  readonly pipeline: string;
  readonly workers: number;
  readonly partitions: number;
  readonly wallMs: number;
  readonly stages: readonly StageMetrics[];
  readonly inputs: readonly InputMetrics[];
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** One line, e.g. `tsdf: 6 stages, 24 tasks (1 retried, 2 recomputed), 1.2 MiB shuffled, 0.84 s on 2 workers`. */
export function runSummary(m: RunMetrics): string {
  const tasks = m.stages.reduce((n, s) => n + s.tasks, 0);
  const retried = m.stages.reduce((n, s) => n + s.failedAttempts, 0);
  const recomputed = m.stages.reduce((n, s) => n + s.recomputedPartitions.length, 0);
  const shuffled = m.stages.reduce((n, s) => n + s.bytesShuffled, 0);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const extra = [retried > 0 && `${retried} retried`, recomputed > 0 && `${recomputed} recomputed`].filter(Boolean);
  const where = m.workers === 0 ? "in the driver thread" : `on ${plural(m.workers, "worker")}`;
  return `tsdf: ${plural(m.stages.length, "stage")}, ${plural(tasks, "task")}${extra.length > 0 ? ` (${extra.join(", ")})` : ""}, ${bytes(shuffled)} shuffled, ${(m.wallMs / 1000).toFixed(2)} s ${where}`;
}
