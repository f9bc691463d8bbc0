import { resolve } from "node:path";
import type { SchemaResolver } from "../compiler/trace.ts";
import { listDatasetFiles } from "../runtime/io/dataset-files.ts";
import { inferSchema } from "../runtime/io/read-dataset.ts";

/**
 * Reads the schema of a pipeline's schemaless input (`p.read.parquet(path)`) from the file itself,
 * under `dataDir`, at build time, so the plan is still complete before anything runs.
 */
export function fileSchemaResolver(dataDir: string): SchemaResolver {
  return async (format, path) => {
    const files = await listDatasetFiles(resolve(dataDir, path), path);
    return (await inferSchema(format, files, path)).fields;
  };
}
