/**
 * I/O benchmark: CSV parse and Parquet read throughput of tsdf's readers, side by side with
 * DuckDB (`@duckdb/node-api`, same thread count) and nodejs-polars (when it is installed and loads)
 * reading the same files. Data: db-benchmark's groupby table G1 (bench/db-benchmark/datagen.ts),
 * generated once under bench/data/ (git-ignored).
 *
 *   npm run bench                       # 1e6 rows
 *   npm run bench -- --rows 10000000    # more rows
 *   npm run bench -- --threads 2        # DuckDB/Polars threads (tsdf's reader runs on one)
 *
 * Prints a table and records it in BENCHMARKS.md (section "Reading files").
 */
import { statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readCsv } from "../runtime/io/csv-reader.ts";
import { readParquet } from "../runtime/io/parquet.ts";
import { recordSection } from "./benchmarks-md.ts";
import { duckColumns, GROUPBY_TABLE, groupbyData } from "./db-benchmark/datagen.ts";
import { tableSchema } from "./db-benchmark/engines/tsdf.ts";
import { machineLine, packageVersion } from "./environment.ts";

const RUNS = 3;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} expects a positive number`);
  return Math.floor(v);
}
const ROWS = flag("rows", 1_000_000);
const THREADS = flag("threads", 1);

const schema = tableSchema(GROUPBY_TABLE);
const names = schema.fields.map((f) => f.name);

async function ensureData(): Promise<{ csv: string; parquet: string }> {
  const { dir } = await groupbyData(ROWS);
  return { csv: path.join(dir, "x.csv"), parquet: path.join(dir, "x.parquet") };
}

interface Result {
  readonly engine: string;
  readonly format: "CSV" | "Parquet";
  readonly seconds: number;
  readonly rows: number;
}

/** Best of RUNS wall times of `read`, which must return the row count it read. */
async function best(engine: string, format: Result["format"], read: () => Promise<number>): Promise<Result> {
  let seconds = Number.POSITIVE_INFINITY;
  let rows = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    rows = await read();
    seconds = Math.min(seconds, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  if (rows !== ROWS) throw new Error(`${engine} ${format}: read ${rows} rows, expected ${ROWS}`);
  return { engine, format, seconds, rows };
}

const count = (batches: readonly { numRows: number }[]) => batches.reduce((n, b) => n + b.numRows, 0);

async function tsdfResults(files: { csv: string; parquet: string }): Promise<Result[]> {
  return [
    await best("tsdf", "CSV", async () => count(await readCsv(files.csv, "csv", schema, { header: true }, names, 1))),
    await best("tsdf", "Parquet", async () => count((await readParquet(files.parquet, "parquet", schema)).batches)),
  ];
}

async function duckdbResults(files: { csv: string; parquet: string }): Promise<Result[]> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:", { threads: String(THREADS) });
  const con = await db.connect();
  const columns = duckColumns(GROUPBY_TABLE);
  // Materialise every column into a table, as tsdf's readers do into Arrow batches.
  const load = async (source: string) => {
    await con.run(`CREATE OR REPLACE TEMP TABLE t AS SELECT * FROM ${source}`);
    const r = await con.runAndReadAll("SELECT count(*)::INTEGER AS n FROM t");
    return Number(r.getRowObjectsJS()[0]?.n);
  };
  const results = [
    await best("DuckDB", "CSV", () => load(`read_csv('${files.csv}', header = true, columns = ${columns})`)),
    await best("DuckDB", "Parquet", () => load(`read_parquet('${files.parquet}')`)),
  ];
  con.closeSync();
  db.closeSync();
  return results;
}

async function polarsResults(files: { csv: string; parquet: string }): Promise<{ results: Result[]; version?: string; skipped?: string }> {
  // The little of nodejs-polars this uses, typed here: it is an optional peer, not a dependency.
  type Polars = { readCSV(file: string): { height: number }; readParquet(file: string): { height: number } };
  let pl: Polars;
  try {
    process.env.POLARS_MAX_THREADS = String(THREADS);
    const name = "nodejs-polars";
    const m = (await import(name)) as Polars & { default?: Polars };
    pl = m.default ?? m;
  } catch (e) {
    const why = (e as Error).message.split("\n")[0];
    return {
      results: [],
      skipped: `it is not installed or does not load here (${why})`,
    };
  }
  return {
    version: packageVersion("nodejs-polars"),
    results: [
      await best("nodejs-polars", "CSV", async () => pl.readCSV(files.csv).height),
      await best("nodejs-polars", "Parquet", async () => pl.readParquet(files.parquet).height),
    ],
  };
}

function table(results: readonly Result[], sizes: Record<Result["format"], number>): string[] {
  const tsdf = (format: Result["format"]) => results.find((r) => r.engine === "tsdf" && r.format === format) as Result;
  const header = ["format", "engine", "best of 3 (s)", "MB/s", "rows/s", "tsdf / engine (throughput)"];
  const rows = results.map((r) => {
    const mbps = sizes[r.format] / 1e6 / r.seconds;
    const ratio = r.engine === "tsdf" ? "1.00" : (r.seconds / tsdf(r.format).seconds).toFixed(2);
    return [r.format, r.engine, r.seconds.toFixed(3), mbps.toFixed(1), Math.round(r.rows / r.seconds).toLocaleString("en-US"), ratio];
  });
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)];
}

const loadAtStart = os.loadavg()[0] ?? 0;
const files = await ensureData();
const sizes = { CSV: statSync(files.csv).size, Parquet: statSync(files.parquet).size };
const results = [...(await tsdfResults(files)), ...(await duckdbResults(files))];
const polars = await polarsResults(files);
results.push(...polars.results);
results.sort((a, b) => a.format.localeCompare(b.format));

const lines = table(results, sizes);
const command = `npm run bench${ROWS === 1_000_000 ? "" : ` -- --rows ${ROWS}`}${THREADS === 1 ? "" : ` --threads ${THREADS}`}`;
console.log(lines.join("\n"));
if (polars.skipped) console.log(`(nodejs-polars skipped: ${polars.skipped})`);
recordSection("Reading files", [
  "Reading the same files into memory (all columns materialised: Arrow batches for tsdf, a table for",
  "DuckDB, a DataFrame for nodejs-polars). Throughput is file bytes / best wall time of 3 runs; the",
  "last column is tsdf's throughput over the engine's (above 1: tsdf is faster).",
  "",
  `Data: ${ROWS.toLocaleString("en-US")} rows of db-benchmark's groupby table (id1..id3 strings, id4..id6, v1, v2 int32, v3 double);`,
  `CSV ${(sizes.CSV / 1e6).toFixed(1)} MB, Parquet (Snappy, written by DuckDB) ${(sizes.Parquet / 1e6).toFixed(1)} MB.`,
  "",
  ...lines,
  "",
  `- Machine: ${machineLine(loadAtStart)}`,
  `- Node ${process.version}; apache-arrow ${packageVersion("apache-arrow")}, parquet-wasm ${packageVersion("parquet-wasm")}, @duckdb/node-api ${packageVersion("@duckdb/node-api")}${polars.version ? `, nodejs-polars ${polars.version}` : ""}`,
  `- Threads: tsdf's reader runs on one thread (partitions parse one after another); DuckDB ${THREADS}${polars.version ? `, Polars ${THREADS}` : ""}.`,
  ...(polars.skipped ? [`- nodejs-polars: skipped — ${polars.skipped}.`] : []),
  `- Command: \`${command}\` (this section: \`npx tsx bench/io.ts\`)`,
]);
console.log("recorded in BENCHMARKS.md");
