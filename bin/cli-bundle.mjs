// Loads the tsdf CLI from one esbuild bundle of its TypeScript sources instead of through tsx:
// tsx resolves and transforms each of the ~80 source files on every start, which cost about 1 s
// of CPU per command. The bundle is rebuilt whenever a source it was built from changes, so a
// fresh clone, an edit and `npm ci` all just work; when it cannot be built (a read-only
// install), the CLI runs through tsx as before.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = resolve(import.meta.dirname, "..");
export const DEFAULT_CACHE = join(ROOT, ".cache", "cli");
/** Builds unused for this long are removed when a new one is written; a running command may still load their chunks. */
const KEEP_OLD_BUILDS_MS = 10 * 60 * 1000;

/** The current build's entry when every source file it was built from is unchanged. */
export function freshBundle(cacheDir = DEFAULT_CACHE) {
  let current;
  try {
    current = JSON.parse(readFileSync(join(cacheDir, "current.json"), "utf8"));
  } catch {
    return undefined;
  }
  for (const [file, mtimeMs] of Object.entries(current.inputs)) {
    try {
      if (statSync(join(ROOT, file)).mtimeMs !== mtimeMs) return undefined;
    } catch {
      return undefined;
    }
  }
  // Marks the build as in use, so that a rebuild by another command keeps it (removeOldBuilds).
  const now = new Date();
  try {
    utimesSync(join(cacheDir, current.build), now, now);
  } catch {
    return undefined;
  }
  return join(cacheDir, current.build, "main.mjs");
}

/**
 * Each source file keeps its own `import.meta`: the compiler finds the stdlib and the runtime
 * relative to its source files, so the bundle must see the paths the sources would.
 */
function sourceLocations(esbuild) {
  return {
    name: "tsdf-source-locations",
    setup(build) {
      // Packages are external (below), so only tsdf's own sources get here.
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        const { code } = await esbuild.transform(await readFile(args.path, "utf8"), {
          loader: "ts",
          format: "esm",
          sourcefile: args.path,
          define: {
            "import.meta.dirname": JSON.stringify(dirname(args.path)),
            "import.meta.filename": JSON.stringify(args.path),
            "import.meta.url": JSON.stringify(pathToFileURL(args.path).href),
          },
        });
        return { contents: code, loader: "js", resolveDir: dirname(args.path) };
      });
    },
  };
}

/**
 * Packages stay external: they load from node_modules as they would from the sources. ts-morph is
 * CommonJS; imported from ESM, Node first scans its source for export names (about 0.2 s for
 * ts-morph and the TypeScript it bundles), so the bundle `require`s it instead.
 */
const externalPackages = {
  name: "tsdf-external-packages",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path === "ts-morph" && args.namespace !== "tsdf-require" ? { path: "ts-morph", namespace: "tsdf-require" } : { path: args.path, external: true },
    );
    build.onLoad({ filter: /.*/, namespace: "tsdf-require" }, () => ({ contents: 'module.exports = require("ts-morph");', loader: "js" }));
  },
};

/**
 * Bundles cli/main.ts into `cacheDir/<build>/` (chunks per dynamic import) and makes it current.
 * `cacheDir` must be inside tsdf's root: the bundle imports packages from its node_modules.
 */
export async function buildBundle(cacheDir = DEFAULT_CACHE) {
  const esbuild = await import("esbuild");
  const staging = join(cacheDir, `staging-${process.pid}-${Date.now()}`);
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { main: join(ROOT, "cli/main.ts") },
    outdir: staging,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    // Chunks keep a command from loading what only another needs (the runtime for `run`).
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    metafile: true,
    logLevel: "silent",
    // esbuild's `require` of an external package in ESM output calls the `require` in scope.
    banner: { js: `import { createRequire as __tsdfCreateRequire } from "node:module"; const require = __tsdfCreateRequire(${JSON.stringify(pathToFileURL(join(ROOT, "package.json")).href)});` },
    plugins: [externalPackages, sourceLocations(esbuild)],
  });
  // This file is an input too: a change to how the bundle is made makes it stale.
  const inputs = { [relative(ROOT, import.meta.filename)]: statSync(import.meta.filename).mtimeMs };
  for (const file of Object.keys(result.metafile.inputs)) {
    if (file.startsWith("tsdf-require:")) continue;
    const abs = resolve(ROOT, file);
    inputs[relative(ROOT, abs)] = statSync(abs).mtimeMs;
  }
  const build = createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 16);
  try {
    renameSync(staging, join(cacheDir, build));
  } catch {
    // Another process built the same sources at the same time: its copy is identical.
    rmSync(staging, { recursive: true, force: true });
  }
  const currentTmp = join(cacheDir, `current.${process.pid}.json`);
  writeFileSync(currentTmp, JSON.stringify({ build, inputs }));
  renameSync(currentTmp, join(cacheDir, "current.json"));
  removeOldBuilds(cacheDir, build);
  return join(cacheDir, build, "main.mjs");
}

function removeOldBuilds(cacheDir, keep) {
  const now = Date.now();
  for (const entry of readdirSync(cacheDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === keep) continue;
    const dir = join(cacheDir, entry.name);
    if (now - statSync(dir).mtimeMs > KEEP_OLD_BUILDS_MS) rmSync(dir, { recursive: true, force: true });
  }
}

/** The CLI's `main`, from the bundle (built first when stale), or through tsx when it cannot be built. */
export async function loadCli(cacheDir = DEFAULT_CACHE) {
  let entry = freshBundle(cacheDir);
  if (entry === undefined) {
    try {
      mkdirSync(cacheDir, { recursive: true });
      entry = await buildBundle(cacheDir);
    } catch {
      const { register } = await import("tsx/esm/api");
      register();
      return import("../cli/main.ts");
    }
  }
  return import(pathToFileURL(entry).href);
}
