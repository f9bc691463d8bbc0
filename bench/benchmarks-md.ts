/**
 * BENCHMARKS.md is written by several benchmarks, each owning one `## ` section: a benchmark
 * replaces its own section (from its heading to the next `## ` heading) and keeps the others.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const BENCHMARKS_MD = fileURLToPath(new URL("../BENCHMARKS.md", import.meta.url));

/** Replaces the section headed `## <heading>` with `body` (appended when it is new). */
export function recordSection(heading: string, body: readonly string[], file = BENCHMARKS_MD): void {
  const text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const lines = text.split("\n");
  const title = `## ${heading}`;
  const start = lines.findIndex((l) => l.trim() === title);
  const section = [title, "", ...body, ""];
  if (start < 0) {
    writeFileSync(file, `${[...trimEnd(lines), "", ...section].join("\n")}`);
    return;
  }
  const next = lines.findIndex((l, i) => i > start && l.startsWith("## "));
  const after = next < 0 ? [] : lines.slice(next);
  writeFileSync(file, [...lines.slice(0, start), ...section, ...after].join("\n"));
}

function trimEnd(lines: readonly string[]): string[] {
  let n = lines.length;
  while (n > 0 && (lines[n - 1] as string).trim() === "") n--;
  return lines.slice(0, n);
}
