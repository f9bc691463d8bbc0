/** Opening input files, with the errors users see when one is missing. */
import { openAsBlob, openSync } from "node:fs";
import { type FileHandle, open, readFile, stat } from "node:fs/promises";
import { TsdfError } from "../../plan/errors.ts";

/** TSDF3001 for a failed read of an input file. */
function inputError(e: unknown, displayPath: string): TsdfError {
  const code = (e as { code?: string }).code;
  if (code === "ENOENT" || code === "ENOTDIR") return new TsdfError("TSDF3001", `input file not found: ${displayPath}`);
  if (code === "EISDIR") return new TsdfError("TSDF3001", `input file not found: ${displayPath} is a directory`);
  return new TsdfError("TSDF3001", `cannot read input file ${displayPath}: ${(e as Error).message}`);
}

/** The bytes of an input file; TSDF3001 when it does not exist or is not a file. */
export async function readInputFile(file: string, displayPath: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (e) {
    throw inputError(e, displayPath);
  }
}

/** An input file opened for reading byte ranges; TSDF3001 when it does not exist. */
export async function openInputFile(file: string, displayPath: string): Promise<FileHandle> {
  try {
    return await open(file, "r");
  } catch (e) {
    throw inputError(e, displayPath);
  }
}

/** An input file opened for synchronous reads (a task's scan, in its own thread); TSDF3001 when it does not exist. */
export function openInputFileSync(file: string, displayPath: string): number {
  try {
    return openSync(file, "r");
  } catch (e) {
    throw inputError(e, displayPath);
  }
}

/** An input file as a Blob that reads the byte ranges asked of it, lazily; TSDF3001 when it is not a readable file. */
export async function openInputBlob(file: string, displayPath: string): Promise<Blob> {
  try {
    if ((await stat(file)).isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    return await openAsBlob(file);
  } catch (e) {
    throw inputError(e, displayPath);
  }
}

const decoder = new TextDecoder();

/** 1-based column (in code points) of byte `pos` in the line starting at byte `lineStart`. */
export function textColumn(buf: Uint8Array, lineStart: number, pos: number): number {
  let n = 1;
  for (const _ of decoder.decode(buf.subarray(lineStart, pos))) n++;
  return n;
}
