import { defineConfig } from "vitest/config";

/**
 * `npm run test:spark`: the tests that need a Spark cluster. scripts/spark-cluster.mjs starts a
 * standalone master, two workers and the Spark Connect server, sets TSDF_TEST_SPARK_REMOTE, runs
 * this config and stops the cluster. Files run one after another: they share the one cluster.
 */
export default defineConfig({
  test: {
    include: ["test/spark/cluster/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 900_000,
    pool: "forks",
    fileParallelism: false,
  },
});
