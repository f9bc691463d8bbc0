import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { recordSection } from "../../bench/benchmarks-md.ts";

const file = () => join(mkdtempSync(join(tmpdir(), "tsdf-bench-md-")), "BENCHMARKS.md");

describe("recordSection", () => {
  it("replaces its own section and keeps the others, in place", () => {
    const f = file();
    writeFileSync(f, "# Benchmarks\n\nintro\n\n## A\n\nold a\n\n## B\n\nb stays\n");
    recordSection("A", ["new a", "", "| t |"], f);
    expect(readFileSync(f, "utf8")).toBe("# Benchmarks\n\nintro\n\n## A\n\nnew a\n\n| t |\n\n## B\n\nb stays\n");
  });

  it("replaces the last section up to the end of the file", () => {
    const f = file();
    writeFileSync(f, "# Benchmarks\n\n## A\n\na\n\n## B\n\nold b\nmore old b\n");
    recordSection("B", ["new b"], f);
    expect(readFileSync(f, "utf8")).toBe("# Benchmarks\n\n## A\n\na\n\n## B\n\nnew b\n");
  });

  it("appends a new section, and creates the file when there is none", () => {
    const f = file();
    recordSection("A", ["a"], f);
    recordSection("B", ["b"], f);
    expect(readFileSync(f, "utf8")).toBe("# Benchmarks\n\n## A\n\na\n\n## B\n\nb\n");
  });

  it("does not take a longer heading for its own", () => {
    const f = file();
    writeFileSync(f, "# Benchmarks\n\n## db-benchmark, 1e7 rows\n\nbig\n");
    recordSection("db-benchmark, 1e6 rows", ["small"], f);
    expect(readFileSync(f, "utf8")).toContain("## db-benchmark, 1e7 rows\n\nbig\n");
    expect(readFileSync(f, "utf8")).toContain("## db-benchmark, 1e6 rows\n\nsmall\n");
  });
});
