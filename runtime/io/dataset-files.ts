/**
 * Resolving an input path to its data files: a file, a folder (recursively, skipping `_…` and
 * `.…` names such as `_SUCCESS` and staging folders), or a `*` glob in the last segment. Files
 * come sorted, so partitioning is deterministic, each with the `col=value` folders above it.
 */
import { readdir, stat } from "node:fs/promises";
import * as path from "node:path";
import { TsdfError } from "../../plan/errors.ts";
import { parseSegment } from "./hive-paths.ts";

/** One data file of a dataset. */
export interface DatasetFile {
  readonly path: string;
  /** The path users know it by, for messages. */
  readonly displayPath: string;
  readonly size: number;
  /** Hive partition values from the folders between the dataset root and the file. */
  readonly partitionValues: ReadonlyMap<string, string | null>;
}

function hidden(name: string): boolean {
  return name.startsWith("_") || name.startsWith(".");
}

function globRegex(pattern: string): RegExp {
  const body = pattern
    .split("*")
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join("[^/]*");
  return new RegExp(`^${body}$`);
}

async function statOrUndefined(p: string): Promise<Awaited<ReturnType<typeof stat>> | undefined> {
  try {
    return await stat(p);
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT" || (e as { code?: string }).code === "ENOTDIR") return undefined;
    throw e;
  }
}

/** The data files `absPath` names, in a stable order; TSDF3001 when there is nothing there. */
export async function listDatasetFiles(absPath: string, displayPath: string): Promise<DatasetFile[]> {
  const base = path.basename(absPath);
  if (base.includes("*")) {
    const dir = path.dirname(absPath);
    const displayDir = path.posix.dirname(displayPath.replaceAll("\\", "/"));
    const re = globRegex(base);
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => re.test(n) && !hidden(n)).sort();
    } catch {
      names = [];
    }
    const files: DatasetFile[] = [];
    for (const name of names) files.push(...(await collect(dir, displayDir, [name])));
    if (files.length === 0) throw new TsdfError("TSDF3001", `input file not found: ${displayPath} matches no files`);
    return files;
  }
  const s = await statOrUndefined(absPath);
  if (s === undefined) throw new TsdfError("TSDF3001", `input file not found: ${displayPath}`);
  if (!s.isDirectory()) return [{ path: absPath, displayPath, size: Number(s.size), partitionValues: new Map() }];
  return collect(absPath, displayPath, []);
}

/** Files under `root/rel…` (rel a file or folder path), with partition values from `rel`'s folders. */
async function collect(root: string, displayRoot: string, rel: readonly string[]): Promise<DatasetFile[]> {
  const abs = path.join(root, ...rel);
  const s = await statOrUndefined(abs);
  if (s === undefined) return [];
  if (!s.isDirectory()) {
    const values = new Map<string, string | null>();
    for (const seg of rel.slice(0, -1)) {
      const kv = parseSegment(seg);
      if (kv !== undefined) values.set(kv.column, kv.value);
    }
    return [{ path: abs, displayPath: [displayRoot, ...rel].join("/"), size: Number(s.size), partitionValues: values }];
  }
  const names = (await readdir(abs)).filter((n) => !hidden(n)).sort();
  const out: DatasetFile[] = [];
  for (const name of names) out.push(...(await collect(root, displayRoot, [...rel, name])));
  return out;
}
