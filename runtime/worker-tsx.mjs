// Worker entry when tsdf runs from its TypeScript sources (tests, `tsdf run entry.ts`): worker
// threads do not inherit the main thread's tsx hooks, so register them here. Bundles use their
// own compiled worker instead.
import { register } from "tsx/esm/api";

register();
const { default: runInWorker } = await import("./worker.ts");
export default runInWorker;
