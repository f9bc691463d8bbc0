/** Where bin/tsdf.mjs keeps the CLI bundle: `.cache/cli` in tsdf's root. */
export const DEFAULT_CACHE: string;
/** The current build's entry when every source file it was built from is unchanged. */
export function freshBundle(cacheDir?: string): string | undefined;
/** Bundles cli/main.ts into `cacheDir` and makes it current; returns its entry. */
export function buildBundle(cacheDir?: string): Promise<string>;
/** The CLI module, from the bundle (built first when stale), or through tsx when it cannot be built. */
export function loadCli(cacheDir?: string): Promise<typeof import("../cli/main.ts")>;
