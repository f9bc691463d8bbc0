import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Tests against a real Spark cluster run with `npm run test:spark` (vitest.spark.config.ts), which starts one.
    exclude: ["test/spark/cluster/**", "**/node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
