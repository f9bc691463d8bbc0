/**
 * db-benchmark's ten groupby and five join questions. Every engine answers a question with its
 * check: the answer's row count and the sums of its value columns (db-benchmark's `chk`), which
 * is also what the engines' answers are compared by.
 */
export type Suite = "groupby" | "join";

export interface Question {
  readonly id: string;
  readonly suite: Suite;
  /** db-benchmark's name of the question. */
  readonly title: string;
  /** The tables the question reads. */
  readonly tables: readonly string[];
  /** The check's value columns, in order (besides `rows`). */
  readonly check: readonly string[];
  /** Why tsdf cannot answer it (undefined: bench/db-benchmark/pipelines/<id>.ts answers it). */
  readonly tsdfMissing?: string;
}

export const QUESTIONS: readonly Question[] = [
  { id: "groupby-q1", suite: "groupby", tables: ["x"], title: "sum v1 by id1", check: ["v1"] },
  { id: "groupby-q2", suite: "groupby", tables: ["x"], title: "sum v1 by id1:id2", check: ["v1"] },
  { id: "groupby-q3", suite: "groupby", tables: ["x"], title: "sum v1 mean v3 by id3", check: ["v1", "v3"] },
  { id: "groupby-q4", suite: "groupby", tables: ["x"], title: "mean v1:v3 by id4", check: ["v1", "v2", "v3"] },
  { id: "groupby-q5", suite: "groupby", tables: ["x"], title: "sum v1:v3 by id6", check: ["v1", "v2", "v3"] },
  { id: "groupby-q6", suite: "groupby", tables: ["x"], title: "median v3 sd v3 by id4 id5", check: ["median_v3", "sd_v3"], tsdfMissing: "no median aggregate" },
  { id: "groupby-q7", suite: "groupby", tables: ["x"], title: "max v1 - min v2 by id3", check: ["range_v1_v2"] },
  { id: "groupby-q8", suite: "groupby", tables: ["x"], title: "largest two v3 by id6", check: ["largest2_v3"], tsdfMissing: "no window functions" },
  { id: "groupby-q9", suite: "groupby", tables: ["x"], title: "regression v1 v2 by id2 id4", check: ["r2"] },
  { id: "groupby-q10", suite: "groupby", tables: ["x"], title: "sum v3 count by id1:id6", check: ["v3", "count"] },
  { id: "join-q1", suite: "join", tables: ["x", "small"], title: "small inner on int", check: ["v1", "v2"] },
  { id: "join-q2", suite: "join", tables: ["x", "medium"], title: "medium inner on int", check: ["v1", "v2"] },
  { id: "join-q3", suite: "join", tables: ["x", "medium"], title: "medium outer on int", check: ["v1", "v2"] },
  { id: "join-q4", suite: "join", tables: ["x", "medium"], title: "medium inner on factor", check: ["v1", "v2"] },
  { id: "join-q5", suite: "join", tables: ["x", "big"], title: "big inner on int", check: ["v1", "v2"] },
];

/** A question's check: `rows` and one sum per check column (null: the engine's sum was null or NaN). */
export type Answer = Readonly<Record<string, number | null>>;

/** Selects questions by `--questions` (comma-separated ids or prefixes such as `groupby`, `join-q1`). */
export function selectQuestions(filter: string | undefined): Question[] {
  if (filter === undefined || filter === "") return [...QUESTIONS];
  const wanted = filter.split(",").map((s) => s.trim());
  const picked = QUESTIONS.filter((q) => wanted.some((w) => q.id === w || q.id.startsWith(`${w}-`) || q.suite === w));
  if (picked.length === 0) throw new Error(`--questions ${filter} selects nothing; ids: ${QUESTIONS.map((q) => q.id).join(", ")}`);
  return picked;
}
