/** Opening input files, with the errors users see when one is missing. */
import { readFile } from "node:fs/promises";
import { TsdfError } from "../../plan/errors.ts";

/** The bytes of an input file; TSDF3001 when it does not exist or is not a file. */
export async function readInputFile(file: string, displayPath: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new TsdfError("TSDF3001", `input file not found: ${displayPath}`);
    if (code === "EISDIR") throw new TsdfError("TSDF3001", `input file not found: ${displayPath} is a directory`);
    throw new TsdfError("TSDF3001", `cannot read input file ${displayPath}: ${(e as Error).message}`);
  }
}

const decoder = new TextDecoder();

/** 1-based column (in code points) of byte `pos` in the line starting at byte `lineStart`. */
export function textColumn(buf: Uint8Array, lineStart: number, pos: number): number {
  let n = 1;
  for (const _ of decoder.decode(buf.subarray(lineStart, pos))) n++;
  return n;
}
