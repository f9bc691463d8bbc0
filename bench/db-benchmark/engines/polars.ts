import * as path from "node:path";
import type pl from "nodejs-polars";
import type { ColumnType, Dataset, TableSpec } from "../datagen.ts";
import type { Answer, Question } from "../questions.ts";
import { type Engine, type EngineOptions, toNumber } from "./engine.ts";

type Polars = typeof pl;
type Lazy = pl.LazyDataFrame;

/** Each question's answer as a lazy query over the tables `t` gives. */
function queries(p: Polars): Readonly<Record<string, (t: (table: string) => Lazy) => Lazy>> {
  const c = p.col;
  return {
    "groupby-q1": (t) => t("x").groupBy("id1").agg(c("v1").sum()),
    "groupby-q2": (t) => t("x").groupBy(["id1", "id2"]).agg(c("v1").sum()),
    "groupby-q3": (t) => t("x").groupBy("id3").agg(c("v1").sum(), c("v3").mean()),
    "groupby-q4": (t) => t("x").groupBy("id4").agg(c("v1").mean(), c("v2").mean(), c("v3").mean()),
    "groupby-q5": (t) => t("x").groupBy("id6").agg(c("v1").sum(), c("v2").sum(), c("v3").sum()),
    "groupby-q6": (t) => t("x").groupBy(["id4", "id5"]).agg(c("v3").median().alias("median_v3"), c("v3").std().alias("sd_v3")),
    "groupby-q7": (t) => t("x").groupBy("id3").agg(c("v1").max().minus(c("v2").min()).alias("range_v1_v2")),
    "groupby-q8": (t) => t("x").select("id6", "v3").sort("v3", true).groupBy("id6").head(2).rename({ v3: "largest2_v3" }),
    "groupby-q9": (t) => t("x").groupBy(["id2", "id4"]).agg(p.pearsonCorr("v1", "v2").pow(2).alias("r2")),
    "groupby-q10": (t) =>
      t("x")
        .groupBy(["id1", "id2", "id3", "id4", "id5", "id6"])
        .agg(c("v3").sum(), p.len().alias("count")),
    "join-q1": (t) => t("x").join(t("small").select("id1", "v2"), { on: "id1", how: "inner" }),
    "join-q2": (t) => t("x").join(t("medium").select("id2", "v2"), { on: "id2", how: "inner" }),
    "join-q3": (t) => t("x").join(t("medium").select("id2", "v2"), { on: "id2", how: "left" }),
    "join-q4": (t) => t("x").join(t("medium").select("id5", "v2"), { on: "id5", how: "inner" }),
    "join-q5": (t) => t("x").join(t("big").select("id3", "v2"), { on: "id3", how: "inner" }),
  };
}

function dtype(p: Polars, t: ColumnType): pl.DataType {
  return t === "string" ? p.Utf8 : t === "int" ? p.Int32 : p.Float64;
}

/** nodejs-polars: DataFrames read from Parquet (in memory), or lazy CSV scans (end to end). */
export async function polarsEngine(opts: EngineOptions, version: string): Promise<Engine> {
  // Read by Polars' thread pool when it starts, so it must be set before the first import.
  process.env.POLARS_MAX_THREADS = String(opts.threads);
  const p = ((await import("nodejs-polars")) as unknown as { default: Polars }).default;
  const qs = queries(p);
  let frames = new Map<string, pl.DataFrame>();
  const answer = (q: Question, t: (table: string) => Lazy): Answer => {
    const query = qs[q.id];
    if (!query) throw new Error(`polars: no query for ${q.id}`);
    const ans = query(t).collectSync();
    const sums = ans.select(...q.check.map((name) => p.col(name).sum())).toRecords()[0] ?? {};
    return Object.fromEntries([["rows", ans.height], ...q.check.map((name) => [name, toNumber(sums[name])])]);
  };
  const scan = (data: Dataset, spec: TableSpec) =>
    p.scanCSV(path.join(data.dir, `${spec.name}.csv`), {
      hasHeader: true,
      schema: Object.fromEntries(spec.columns.map((col) => [col.name, dtype(p, col.type)])),
    });
  return {
    name: "Polars",
    version,
    answers: (q) => qs[q.id] !== undefined,
    async load(data) {
      frames = new Map(data.tables.map((spec) => [spec.name, p.readParquet(path.join(data.dir, `${spec.name}.parquet`))]));
      return undefined;
    },
    async unload() {
      frames = new Map();
    },
    async inMemory(q) {
      return answer(q, (table) => {
        const df = frames.get(table);
        if (!df) throw new Error(`polars: table ${table} is not loaded`);
        return df.lazy();
      });
    },
    async fromFile(q, data) {
      return answer(q, (table) => {
        const spec = data.tables.find((s) => s.name === table);
        if (!spec) throw new Error(`polars: no table ${table}`);
        return scan(data, spec);
      });
    },
    async close() {},
  };
}
