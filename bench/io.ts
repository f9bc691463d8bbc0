/**
 * I/O benchmark: CSV parse and Parquet read throughput of tsdf's readers, side by side with
 * DuckDB (`@duckdb/node-api`, same thread count) and nodejs-polars (when it is installed and loads)
 * reading the same files. Data: a seeded db-benchmark groupby-like table (id1..id3 strings,
 * id4..id6 ints, v1 v2 ints, v3 double), generated once under bench/data/ (git-ignored).
 *
 *   npm run bench                       # 1e6 rows
 *   npm run bench -- --rows 10000000    # more rows
 *   npm run bench -- --threads 2        # DuckDB/Polars threads (tsdf's reader runs on one)
 *
 * Prints a table and writes BENCHMARKS.md at the repository root.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { Schema } from "../plan/schema.ts";
import { readCsv } from "../runtime/io/csv-reader.ts";
import { readParquet, writeParquet } from "../runtime/io/parquet.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DATA = path.join(ROOT, "bench", "data");
const RUNS = 3;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} expects a positive number`);
  return Math.floor(v);
}
const ROWS = flag("rows", 1_000_000);
const THREADS = flag("threads", 1);

const schema: Schema = {
  fields: [
    ...["id1", "id2", "id3"].map((name) => ({ name, type: "utf8" as const, nullable: false })),
    ...["id4", "id5", "id6", "v1", "v2"].map((name) => ({ name, type: "int32" as const, nullable: false })),
    { name: "v3", type: "float64", nullable: false },
  ],
};
const names = schema.fields.map((f) => f.name);

/** mulberry32: a small seeded PRNG, so every run benchmarks the same bytes. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function generateCsv(file: string, n: number): Promise<void> {
  const K = 100;
  const groups = Math.max(1, Math.floor(n / K));
  const rand = rng(108);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const out = createWriteStream(file);
  const write = (s: string) => new Promise<void>((resolve) => (out.write(s) ? resolve() : out.once("drain", resolve)));
  await write(`${names.join(",")}\n`);
  let chunk = "";
  for (let i = 0; i < n; i++) {
    const id1 = `id${String(int(1, K)).padStart(3, "0")}`;
    const id2 = `id${String(int(1, K)).padStart(3, "0")}`;
    const id3 = `id${String(int(1, groups)).padStart(10, "0")}`;
    const v3 = Math.round(rand() * 100 * 1e6) / 1e6;
    chunk += `${id1},${id2},${id3},${int(1, K)},${int(1, K)},${int(1, groups)},${int(1, 5)},${int(1, 15)},${v3}\n`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = "";
    }
  }
  await write(chunk);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

async function ensureData(): Promise<{ csv: string; parquet: string }> {
  mkdirSync(DATA, { recursive: true });
  const csv = path.join(DATA, `groupby_${ROWS}.csv`);
  const parquet = path.join(DATA, `groupby_${ROWS}.parquet`);
  if (!existsSync(csv)) {
    process.stderr.write(`generating ${path.relative(ROOT, csv)} …\n`);
    await generateCsv(csv, ROWS);
  }
  if (!existsSync(parquet)) {
    process.stderr.write(`writing ${path.relative(ROOT, parquet)} …\n`);
    await writeParquet(parquet, await readCsv(csv, "csv", schema, { header: true }, names, 1), schema);
  }
  return { csv, parquet };
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
  const columns = `{${schema.fields.map((f) => `'${f.name}': '${f.type === "utf8" ? "VARCHAR" : f.type === "int32" ? "INTEGER" : "DOUBLE"}'`).join(", ")}}`;
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
      skipped: `it is not installed or does not load here (${why}); its native build needs Node ≥ 22, so it is not a dev dependency — on Node 22+ run \`npm install --no-save nodejs-polars\` first`,
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

function packageVersion(name: string): string {
  try {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve(`${name}/package.json`));
    return (JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    const pkg = path.join(ROOT, "node_modules", name, "package.json");
    return existsSync(pkg) ? (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version : "?";
  }
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

const cpus = os.cpus();
const lines = table(results, sizes);
const command = `npm run bench${ROWS === 1_000_000 ? "" : ` -- --rows ${ROWS}`}${THREADS === 1 ? "" : ` --threads ${THREADS}`}`;
const md = [
  "# Benchmarks",
  "",
  "Reading the same files into memory (all columns materialised: Arrow batches for tsdf, a table for",
  "DuckDB, a DataFrame for nodejs-polars). Throughput is file bytes / best wall time of 3 runs; the",
  "last column is tsdf's throughput over the engine's (above 1: tsdf is faster).",
  "",
  `Data: ${ROWS.toLocaleString("en-US")} rows of a seeded db-benchmark groupby-like table (id1..id3 strings, id4..id6, v1, v2 int32, v3 double);`,
  `CSV ${(sizes.CSV / 1e6).toFixed(1)} MB, Parquet (Snappy, written by tsdf) ${(sizes.Parquet / 1e6).toFixed(1)} MB.`,
  "",
  ...lines,
  "",
  `- Machine: ${cpus[0]?.model ?? "?"} × ${cpus.length} logical CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}; 1-minute load average ${loadAtStart.toFixed(1)} at the start (other work on the machine makes the numbers noisy)`,
  `- Node ${process.version}; apache-arrow ${packageVersion("apache-arrow")}, parquet-wasm ${packageVersion("parquet-wasm")}, @duckdb/node-api ${packageVersion("@duckdb/node-api")}${polars.version ? `, nodejs-polars ${polars.version}` : ""}`,
  `- Threads: tsdf's reader runs on one thread (partitions parse one after another); DuckDB ${THREADS}${polars.version ? `, Polars ${THREADS}` : ""}.`,
  ...(polars.skipped ? [`- nodejs-polars: skipped — ${polars.skipped}.`] : []),
  `- Command: \`${command}\``,
  "",
];
console.log(lines.join("\n"));
if (polars.skipped) console.log(`(nodejs-polars skipped: ${polars.skipped})`);
writeFileSync(path.join(ROOT, "BENCHMARKS.md"), md.join("\n"));
console.log("wrote BENCHMARKS.md");
