/**
 * db-benchmark's data, regenerated here with a seeded RNG: the groupby table G1 (id1–id6,
 * v1–v3; K groups) and the join tables J1 (x, and small/medium/big on its right), following
 * the distributions of h2oai/db-benchmark's `_data/groupby-datagen.R` and `join-datagen.R`
 * (0% NAs, random order). Written as CSV, then converted to Parquet by DuckDB, under
 * bench/data/db-benchmark/ (git-ignored); a folder is reused when its size and seed match.
 *
 *   npx tsx bench/db-benchmark/datagen.ts [--rows 1e6] [--seed 108]
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { columnRandom, permutation, sampleAll, uniformInt } from "./random.ts";

export const DATA_ROOT = fileURLToPath(new URL("../data/db-benchmark/", import.meta.url));
/** db-benchmark's seed. */
export const DEFAULT_SEED = 108;
/** Groups of the large id columns (id1, id2, id4, id5); the small ones have rows / K. */
export const K = 100;

export type ColumnType = "string" | "int" | "double";
export interface TableColumn {
  readonly name: string;
  readonly type: ColumnType;
}
export interface TableSpec {
  readonly name: string;
  readonly columns: readonly TableColumn[];
}

const cols = (type: ColumnType, ...names: string[]): TableColumn[] => names.map((name) => ({ name, type }));

export const GROUPBY_TABLE: TableSpec = {
  name: "x",
  columns: [...cols("string", "id1", "id2", "id3"), ...cols("int", "id4", "id5", "id6", "v1", "v2"), ...cols("double", "v3")],
};
export const JOIN_TABLES: readonly TableSpec[] = [
  { name: "x", columns: [...cols("int", "id1", "id2", "id3"), ...cols("string", "id4", "id5", "id6"), ...cols("double", "v1")] },
  { name: "small", columns: [...cols("int", "id1"), ...cols("string", "id4"), ...cols("double", "v2")] },
  { name: "medium", columns: [...cols("int", "id1", "id2"), ...cols("string", "id4", "id5"), ...cols("double", "v2")] },
  { name: "big", columns: [...cols("int", "id1", "id2", "id3"), ...cols("string", "id4", "id5", "id6"), ...cols("double", "v2")] },
];

/** db-benchmark's short form of a row count: 1e6, 1e7, 5e6; other counts as they are. */
export function prettySci(n: number): string {
  const e = Math.floor(Math.log10(n));
  const m = n / 10 ** e;
  return Number.isInteger(m) && m < 10 ? `${m}e${e}` : String(n);
}

/** Writes CSV lines through a 1 MiB buffer; resolves when the file is flushed. */
export class CsvWriter {
  private readonly out;
  private chunk = "";
  constructor(file: string, header: readonly string[]) {
    this.out = createWriteStream(file);
    this.chunk = `${header.join(",")}\n`;
  }
  async line(s: string): Promise<void> {
    this.chunk += `${s}\n`;
    if (this.chunk.length > 1 << 20) await this.flush();
  }
  private flush(): Promise<void> {
    const s = this.chunk;
    this.chunk = "";
    return new Promise((resolve) => (this.out.write(s) ? resolve() : this.out.once("drain", resolve)));
  }
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => this.out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
}

/** R's `round(x, digits)` for the values drawn here (non-negative, far from ties). */
const roundTo = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const pad = (n: number, width: number) => String(n).padStart(width, "0");

/** G1: id1, id2 from K strings `id001`…; id3 from rows/K strings `id0000000001`…; id4, id5 in 1..K; id6 in 1..rows/K; v1, v2 in 1..5; v3 uniform in [0, 100) to 4 decimals. */
export async function writeGroupby(file: string, rows: number, seed: number): Promise<void> {
  const small = Math.max(1, Math.floor(rows / K));
  const r = GROUPBY_TABLE.columns.map((_, k) => columnRandom(seed, k));
  const [r1, r2, r3, r4, r5, r6, r7, r8, r9] = r as [() => number, () => number, () => number, () => number, () => number, () => number, () => number, () => number, () => number];
  const w = new CsvWriter(file, GROUPBY_TABLE.columns.map((c) => c.name));
  for (let i = 0; i < rows; i++) {
    await w.line(
      `id${pad(uniformInt(r1, K), 3)},id${pad(uniformInt(r2, K), 3)},id${pad(uniformInt(r3, small), 10)},${uniformInt(r4, K)},${uniformInt(r5, K)},${uniformInt(r6, small)},${uniformInt(r7, 5)},${uniformInt(r8, 5)},${roundTo(r9() * 100, 4)}`,
    );
  }
  await w.close();
}

/** Keys 1..⌊1.1n⌋ shuffled and split: 90% on both sides, 10% left only, 10% right only. */
function splitKeys(n: number, rand: () => number): { both: Int32Array; left: Int32Array; right: Int32Array } {
  const all = permutation(Math.max(1, Math.floor(n * 1.1)), rand);
  const inBoth = Math.max(1, Math.floor(n * 0.9));
  const leftEnd = Math.max(inBoth, Math.floor(n));
  return { both: all.subarray(0, inBoth), left: all.subarray(inBoth, leftEnd), right: all.subarray(leftEnd) };
}

const concat = (a: Int32Array, b: Int32Array) => {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

/**
 * J1: three key levels with rows/1e6, rows/1e3 and rows distinct keys. x (rows rows) draws
 * each level's id from the shared and left-only keys; small, medium and big (rows/1e6,
 * rows/1e3 and rows rows) from the shared and right-only keys, every key at least once.
 * id4–id6 are `id<id1..id3>` strings; v1, v2 uniform in [0, 100) to 6 decimals.
 */
export async function writeJoin(dir: string, rows: number, seed: number): Promise<void> {
  const rand = columnRandom(seed, 0);
  const levels = [Math.max(1, Math.floor(rows / 1e6)), Math.max(1, Math.floor(rows / 1e3)), rows].map((n) => splitKeys(n, rand));
  const values = columnRandom(seed, 1);
  const write = async (spec: TableSpec, n: number, side: "left" | "right") => {
    const depth = spec.columns.filter((c) => c.type === "int").length;
    const ids = levels.slice(0, depth).map((l) => sampleAll(concat(l.both, l[side]), n, rand));
    const w = new CsvWriter(path.join(dir, `${spec.name}.csv`), spec.columns.map((c) => c.name));
    for (let i = 0; i < n; i++) {
      const nums = ids.map((col) => col[i] as number);
      await w.line(`${nums.join(",")},${nums.map((v) => `id${v}`).join(",")},${roundTo(values() * 100, 6)}`);
    }
    await w.close();
  };
  const [x, small, medium, big] = JOIN_TABLES as [TableSpec, TableSpec, TableSpec, TableSpec];
  await write(x, rows, "left");
  await write(small, Math.max(1, Math.floor(rows / 1e6)), "right");
  await write(medium, Math.max(1, Math.floor(rows / 1e3)), "right");
  await write(big, rows, "right");
}

const duckType = (t: ColumnType) => (t === "string" ? "VARCHAR" : t === "int" ? "INTEGER" : "DOUBLE");

/** DuckDB's `columns = {...}` argument of read_csv for a table: the declared types, never sniffed. */
export function duckColumns(spec: TableSpec): string {
  return `{${spec.columns.map((c) => `'${c.name}': '${duckType(c.type)}'`).join(", ")}}`;
}

async function toParquet(dir: string, specs: readonly TableSpec[]): Promise<void> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:", { threads: "2" });
  const con = await db.connect();
  for (const spec of specs) {
    const csv = path.join(dir, `${spec.name}.csv`);
    const parquet = path.join(dir, `${spec.name}.parquet`);
    await con.run(`COPY (SELECT * FROM read_csv('${csv}', header = true, columns = ${duckColumns(spec)})) TO '${parquet}' (FORMAT parquet, COMPRESSION snappy)`);
  }
  con.closeSync();
  db.closeSync();
}

export interface Dataset {
  /** The folder holding `<table>.csv` and `<table>.parquet`. */
  readonly dir: string;
  readonly tables: readonly TableSpec[];
  readonly rows: number;
}

/** Generates into a staging folder renamed into place when complete, so a crash never leaves a half dataset that looks cached. */
async function cached(name: string, tables: readonly TableSpec[], rows: number, make: (dir: string) => Promise<void>): Promise<Dataset> {
  const dir = path.join(DATA_ROOT, name);
  if (!existsSync(dir)) {
    const staging = `${dir}.tmp-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    process.stderr.write(`generating ${path.relative(process.cwd(), dir)} …\n`);
    await make(staging);
    await toParquet(staging, tables);
    renameSync(staging, dir);
  }
  return { dir, tables, rows };
}

export function groupbyData(rows: number, seed = DEFAULT_SEED): Promise<Dataset> {
  return cached(`G1_${prettySci(rows)}_${prettySci(K)}_0_0_seed${seed}`, [GROUPBY_TABLE], rows, (dir) => writeGroupby(path.join(dir, "x.csv"), rows, seed));
}

export function joinData(rows: number, seed = DEFAULT_SEED): Promise<Dataset> {
  return cached(`J1_${prettySci(rows)}_NA_0_0_seed${seed}`, JOIN_TABLES, rows, (dir) => writeJoin(dir, rows, seed));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const rows = at("rows", 1e6);
  const seed = at("seed", DEFAULT_SEED);
  for (const d of [await groupbyData(rows, seed), await joinData(rows, seed)]) console.log(d.dir);
}
