/**
 * Output commit with Spark's save modes: part files are written to a staging folder and moved
 * into place by rename only once every part was written, then `_SUCCESS` is written last. A
 * failure leaves the previous output as it was.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { TsdfError } from "../../plan/errors.ts";
import type { WriteMode } from "../../plan/logical.ts";

export { stageDataset, writeDataset } from "./write-dataset.ts";

/** Name of the marker file a committed output folder holds. */
export const SUCCESS_MARKER = "_SUCCESS";

/** `part-00000.csv` for index 0 and extension `csv`. */
export function partFileName(index: number, ext: string): string {
  return `part-${String(index).padStart(5, "0")}.${ext}`;
}

async function pathExists(p: string): Promise<"absent" | "empty" | "present"> {
  try {
    const s = await stat(p);
    if (!s.isDirectory()) return "present";
    return (await readdir(p)).length === 0 ? "empty" : "present";
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return "absent";
    throw e;
  }
}

/** An output whose part files are written to its staging folder: `commit` moves them into place, `abort` removes them. */
export interface StagedOutput {
  commit(): Promise<"written" | "skipped">;
  abort(): Promise<void>;
}

/**
 * Writes an output folder under save mode `mode`. `writeParts` fills the staging folder it is
 * given; its files reach `outDir` only if it resolves. errorIfExists fails (TSDF3010) on an
 * existing non-empty `outDir`; ignore skips it; overwrite replaces it at commit; append adds
 * the new part files next to the old (renaming a part whose name is taken).
 */
export async function commitOutput(
  outDir: string,
  displayPath: string,
  mode: WriteMode,
  writeParts: (tmpDir: string) => Promise<void>,
): Promise<"written" | "skipped"> {
  return (await stageOutput(outDir, displayPath, mode, writeParts)).commit();
}

/**
 * The first half of commitOutput: checks the save mode and writes the part files to a staging
 * folder (removed again when writing fails), leaving `outDir` untouched until `commit`. A run
 * stages each output as soon as its rows are computed and commits them all once every one is.
 */
export async function stageOutput(outDir: string, displayPath: string, mode: WriteMode, writeParts: (tmpDir: string) => Promise<void>): Promise<StagedOutput> {
  const existing = await pathExists(outDir);
  if (existing === "present") {
    if (mode === "ignore") return { commit: async () => "skipped", abort: async () => {} };
    if (mode === "errorIfExists") {
      throw new TsdfError("TSDF3010", `output path already exists: ${displayPath}`, undefined, [
        'write with { mode: "overwrite" } to replace it, "append" to add to it, or "ignore" to keep it',
      ]);
    }
  }
  const id = randomUUID();
  const parent = path.dirname(outDir);
  const appending = mode === "append" && existing === "present";
  const staging = appending ? path.join(outDir, "_temporary", id) : path.join(parent, `.${path.basename(outDir)}.tsdf-staging-${id}`);
  await mkdir(staging, { recursive: true });
  try {
    await writeParts(staging);
  } catch (e) {
    await removeStaging(staging, outDir);
    throw e;
  }
  return {
    async commit() {
      try {
        if (appending) await moveInto(staging, outDir);
        else await replace(staging, outDir, existing !== "absent");
      } catch (e) {
        await removeStaging(staging, outDir);
        throw e;
      }
      await writeFile(path.join(outDir, SUCCESS_MARKER), "");
      return "written";
    },
    abort: () => removeStaging(staging, outDir),
  };
}

async function removeStaging(staging: string, outDir: string): Promise<void> {
  await rm(staging, { recursive: true, force: true });
  const temporary = path.join(outDir, "_temporary");
  if (path.dirname(staging) === temporary) await rmdirIfEmpty(temporary);
}

async function rmdirIfEmpty(dir: string): Promise<void> {
  if ((await pathExists(dir)) === "empty") await rm(dir, { recursive: true, force: true });
}

/** Renames the staging folder to `outDir`; an old `outDir` is moved aside first and deleted after. */
async function replace(staging: string, outDir: string, hadOld: boolean): Promise<void> {
  if (!hadOld) {
    await rename(staging, outDir);
    return;
  }
  const old = path.join(path.dirname(outDir), `.${path.basename(outDir)}.tsdf-old-${randomUUID()}`);
  await rename(outDir, old);
  try {
    await rename(staging, outDir);
  } catch (e) {
    await rename(old, outDir);
    throw e;
  }
  await rm(old, { recursive: true, force: true });
}

/** Moves every file under `from` to the same relative place under `to`, then removes `from`. */
async function moveInto(from: string, to: string): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) {
      await mkdir(dst, { recursive: true });
      await moveInto(src, dst);
    } else await rename(src, await freeName(dst));
  }
  await rm(from, { recursive: true, force: true });
  const temporary = path.dirname(from);
  if (path.basename(temporary) === "_temporary") await rmdirIfEmpty(temporary);
}

/** `dst`, or `part-00000-<n>.csv` style when a file already has that name. */
async function freeName(dst: string): Promise<string> {
  if ((await pathExists(dst)) === "absent") return dst;
  const ext = path.extname(dst);
  const stem = dst.slice(0, dst.length - ext.length);
  for (let n = 1; ; n++) {
    const candidate = `${stem}-${n}${ext}`;
    if ((await pathExists(candidate)) === "absent") return candidate;
  }
}
