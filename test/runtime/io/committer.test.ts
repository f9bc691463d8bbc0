import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { commitOutput, partFileName } from "../../../runtime/io/committer.ts";
import { tempDir } from "./io-fixtures.ts";

function writePart(name: string, content: string) {
  return async (tmp: string) => fs.writeFileSync(path.join(tmp, name), content);
}

/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => f.replaceAll("\\", "/"))
    .sort();
}

describe("commitOutput", () => {
  it("names part files part-00000.ext", () => {
    expect(partFileName(0, "csv")).toBe("part-00000.csv");
    expect(partFileName(123, "parquet")).toBe("part-00123.parquet");
  });

  it("writes the parts and then an empty _SUCCESS, leaving no staging folder", async () => {
    const root = tempDir();
    const out = path.join(root, "nested", "out");
    expect(await commitOutput(out, "out", "errorIfExists", writePart("part-00000.csv", "a\n1\n"))).toBe("written");
    expect(tree(out)).toEqual(["_SUCCESS", "part-00000.csv"]);
    expect(fs.readFileSync(path.join(out, "_SUCCESS"), "utf8")).toBe("");
    expect(fs.readdirSync(path.join(root, "nested"))).toEqual(["out"]);
  });

  it("errorIfExists fails with TSDF3010 when the output exists", async () => {
    const out = path.join(tempDir(), "out");
    await commitOutput(out, "out", "errorIfExists", writePart("part-00000.csv", "old"));
    await expect(commitOutput(out, "data/out", "errorIfExists", writePart("part-00000.csv", "new"))).rejects.toMatchObject({
      code: "TSDF3010",
      message: "output path already exists: data/out",
    });
    expect(fs.readFileSync(path.join(out, "part-00000.csv"), "utf8")).toBe("old");
  });

  it("errorIfExists writes into an existing empty folder", async () => {
    const out = tempDir();
    expect(await commitOutput(out, "out", "errorIfExists", writePart("p.csv", "x"))).toBe("written");
    expect(tree(out)).toEqual(["_SUCCESS", "p.csv"]);
  });

  it("ignore skips an existing output without calling writeParts", async () => {
    const out = path.join(tempDir(), "out");
    await commitOutput(out, "out", "ignore", writePart("part-00000.csv", "old"));
    let called = false;
    const result = await commitOutput(out, "out", "ignore", async () => {
      called = true;
    });
    expect(result).toBe("skipped");
    expect(called).toBe(false);
    expect(fs.readFileSync(path.join(out, "part-00000.csv"), "utf8")).toBe("old");
  });

  it("overwrite replaces the old output at commit", async () => {
    const out = path.join(tempDir(), "out");
    await commitOutput(out, "out", "overwrite", async (tmp) => {
      fs.writeFileSync(path.join(tmp, "part-00000.csv"), "old0");
      fs.writeFileSync(path.join(tmp, "part-00001.csv"), "old1");
    });
    await commitOutput(out, "out", "overwrite", async (tmp) => {
      // While parts are written, the old output is still complete.
      expect(tree(out)).toEqual(["_SUCCESS", "part-00000.csv", "part-00001.csv"]);
      fs.writeFileSync(path.join(tmp, "part-00000.csv"), "new0");
    });
    expect(tree(out)).toEqual(["_SUCCESS", "part-00000.csv"]);
    expect(fs.readFileSync(path.join(out, "part-00000.csv"), "utf8")).toBe("new0");
    expect(fs.readdirSync(path.dirname(out))).toEqual(["out"]);
  });

  it("overwrite keeps the old output when writeParts throws", async () => {
    const out = path.join(tempDir(), "out");
    await commitOutput(out, "out", "overwrite", writePart("part-00000.csv", "old"));
    const failure = commitOutput(out, "out", "overwrite", async (tmp) => {
      fs.writeFileSync(path.join(tmp, "part-00000.csv"), "half");
      throw new Error("task failed");
    });
    await expect(failure).rejects.toThrow("task failed");
    expect(tree(out)).toEqual(["_SUCCESS", "part-00000.csv"]);
    expect(fs.readFileSync(path.join(out, "part-00000.csv"), "utf8")).toBe("old");
    expect(fs.readdirSync(path.dirname(out))).toEqual(["out"]);
  });

  it("a failed first write leaves no output folder at all", async () => {
    const out = path.join(tempDir(), "out");
    await expect(commitOutput(out, "out", "errorIfExists", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(path.dirname(out))).toEqual([]);
  });

  it("append adds new parts beside the old ones, renaming clashing names", async () => {
    const out = path.join(tempDir(), "out");
    await commitOutput(out, "out", "append", writePart("part-00000.csv", "first"));
    await commitOutput(out, "out", "append", async (tmp) => {
      fs.mkdirSync(path.join(tmp, "k=1"));
      fs.writeFileSync(path.join(tmp, "k=1", "part-00000.csv"), "second-k");
      fs.writeFileSync(path.join(tmp, "part-00000.csv"), "second");
    });
    expect(tree(out)).toEqual(["_SUCCESS", "k=1/part-00000.csv", "part-00000-1.csv", "part-00000.csv"]);
    expect(fs.readFileSync(path.join(out, "part-00000.csv"), "utf8")).toBe("first");
    expect(fs.readFileSync(path.join(out, "part-00000-1.csv"), "utf8")).toBe("second");
  });

  it("append removes its staging folder when writeParts throws", async () => {
    const out = path.join(tempDir(), "out");
    await commitOutput(out, "out", "append", writePart("part-00000.csv", "first"));
    await expect(
      commitOutput(out, "out", "append", async (tmp) => {
        fs.writeFileSync(path.join(tmp, "part-00000.csv"), "x");
        throw new Error("nope");
      }),
    ).rejects.toThrow("nope");
    expect(tree(out)).toEqual(["_SUCCESS", "part-00000.csv"]);
    expect(fs.existsSync(path.join(out, "_temporary"))).toBe(false);
  });
});
