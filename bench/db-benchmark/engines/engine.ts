import type { Dataset } from "../datagen.ts";
import type { Answer, Question } from "../questions.ts";

/**
 * One engine answering db-benchmark's questions, run in its own child process (so its peak
 * memory is its own). `inMemory` times the query over tables `load` read before (db-benchmark's
 * timing); `fromFile` reads the CSV files and answers, end to end.
 */
export interface Engine {
  readonly name: string;
  readonly version: string;
  /** Whether the engine answers the question at all (tsdf lacks median and window functions). */
  answers(q: Question): boolean;
  /** Reads the dataset's tables into memory; returns their size in bytes where the engine can tell. */
  load(data: Dataset): Promise<number | undefined>;
  /** Drops the loaded tables, so the next suite's peak memory does not include them. */
  unload(): Promise<void>;
  inMemory(q: Question): Promise<Answer>;
  fromFile(q: Question, data: Dataset): Promise<Answer>;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** Threads (DuckDB, Polars) or worker threads and partitions (tsdf); Arquero has one. */
  readonly threads: number;
}

/** A numeric answer value: bigints and decimals from the engines as numbers; null and NaN as null. */
export function toNumber(v: unknown): number | null {
  const n = v === null || v === undefined ? Number.NaN : Number(v);
  return Number.isNaN(n) ? null : n;
}
