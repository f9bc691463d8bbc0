import * as path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { type Dataset, duckColumns } from "../datagen.ts";
import type { Answer, Question } from "../questions.ts";
import { type Engine, type EngineOptions, toNumber } from "./engine.ts";

/** Each question's answer as SQL over tables named by `t`. */
const SQL: Readonly<Record<string, (t: (table: string) => string) => string>> = {
  "groupby-q1": (t) => `SELECT id1, sum(v1) AS v1 FROM ${t("x")} GROUP BY id1`,
  "groupby-q2": (t) => `SELECT id1, id2, sum(v1) AS v1 FROM ${t("x")} GROUP BY id1, id2`,
  "groupby-q3": (t) => `SELECT id3, sum(v1) AS v1, avg(v3) AS v3 FROM ${t("x")} GROUP BY id3`,
  "groupby-q4": (t) => `SELECT id4, avg(v1) AS v1, avg(v2) AS v2, avg(v3) AS v3 FROM ${t("x")} GROUP BY id4`,
  "groupby-q5": (t) => `SELECT id6, sum(v1) AS v1, sum(v2) AS v2, sum(v3) AS v3 FROM ${t("x")} GROUP BY id6`,
  "groupby-q6": (t) => `SELECT id4, id5, median(v3) AS median_v3, stddev(v3) AS sd_v3 FROM ${t("x")} GROUP BY id4, id5`,
  "groupby-q7": (t) => `SELECT id3, max(v1) - min(v2) AS range_v1_v2 FROM ${t("x")} GROUP BY id3`,
  "groupby-q8": (t) =>
    `SELECT id6, v3 AS largest2_v3 FROM (SELECT id6, v3, row_number() OVER (PARTITION BY id6 ORDER BY v3 DESC) AS r FROM ${t("x")}) WHERE r <= 2`,
  "groupby-q9": (t) => `SELECT id2, id4, pow(corr(v1, v2), 2) AS r2 FROM ${t("x")} GROUP BY id2, id4`,
  "groupby-q10": (t) => `SELECT id1, id2, id3, id4, id5, id6, sum(v3) AS v3, count(*) AS count FROM ${t("x")} GROUP BY id1, id2, id3, id4, id5, id6`,
  "join-q1": (t) => `SELECT x.v1, small.v2 FROM ${t("x")} AS x JOIN ${t("small")} AS small USING (id1)`,
  "join-q2": (t) => `SELECT x.v1, medium.v2 FROM ${t("x")} AS x JOIN ${t("medium")} AS medium USING (id2)`,
  "join-q3": (t) => `SELECT x.v1, medium.v2 FROM ${t("x")} AS x LEFT JOIN ${t("medium")} AS medium USING (id2)`,
  "join-q4": (t) => `SELECT x.v1, medium.v2 FROM ${t("x")} AS x JOIN ${t("medium")} AS medium USING (id5)`,
  "join-q5": (t) => `SELECT x.v1, big.v2 FROM ${t("x")} AS x JOIN ${t("big")} AS big USING (id3)`,
};

/** DuckDB through @duckdb/node-api: tables loaded from Parquet into memory, or read_csv per query. */
export async function duckdbEngine(opts: EngineOptions, version: string): Promise<Engine> {
  const db = await DuckDBInstance.create(":memory:", { threads: String(opts.threads) });
  const con = await db.connect();
  let loaded: Dataset | undefined;
  const answer = async (q: Question, t: (table: string) => string): Promise<Answer> => {
    const sql = SQL[q.id];
    if (!sql) throw new Error(`duckdb: no SQL for ${q.id}`);
    const sums = q.check.map((c) => `sum(${c})::DOUBLE AS ${c}`).join(", ");
    const reader = await con.runAndReadAll(`SELECT count(*) AS rows, ${sums} FROM (${sql(t)})`);
    const row = reader.getRowObjectsJS()[0] ?? {};
    return Object.fromEntries(["rows", ...q.check].map((c) => [c, toNumber(row[c])]));
  };
  return {
    name: "DuckDB",
    version,
    answers: (q) => SQL[q.id] !== undefined,
    async load(data) {
      for (const spec of data.tables) {
        await con.run(`CREATE OR REPLACE TABLE ${spec.name} AS SELECT * FROM read_parquet('${path.join(data.dir, `${spec.name}.parquet`)}')`);
      }
      loaded = data;
      return undefined;
    },
    async unload() {
      for (const spec of loaded?.tables ?? []) await con.run(`DROP TABLE ${spec.name}`);
      loaded = undefined;
    },
    inMemory: (q) => answer(q, (table) => table),
    fromFile(q, data) {
      const spec = (table: string) => data.tables.find((s) => s.name === table);
      return answer(q, (table) => {
        const s = spec(table);
        if (!s) throw new Error(`duckdb: no table ${table}`);
        return `read_csv('${path.join(data.dir, `${table}.csv`)}', header = true, columns = ${duckColumns(s)})`;
      });
    },
    async close() {
      con.closeSync();
      db.closeSync();
    },
  };
}
