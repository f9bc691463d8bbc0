/**
 * tsdf: typed dataframe pipelines with Spark's programming model.
 * @example
 * import { pipeline, schema, t, sum, round } from "tsdf";
 */
export { DataFrame, DataFrameWriter, GroupedData, type JoinRow, type WriterOptions } from "./frame.ts";
export {
  abs,
  asc,
  avg,
  ceil,
  coalesce,
  concat,
  count,
  countDistinct,
  currentDate,
  dateAdd,
  dateDiff,
  dayOfMonth,
  desc,
  first,
  floor,
  last,
  length,
  lower,
  max,
  min,
  month,
  round,
  type SortOrder,
  type SortSpec,
  sqrt,
  stddev,
  substring,
  sum,
  toDate,
  trim,
  upper,
  year,
} from "./functions.ts";
export { __tsdfAt, __tsdfLambda, __tsdfValue } from "./lambda.ts";
export { type CsvOptions, type Pipeline, type PipelineBuilder, pipeline } from "./pipeline.ts";
export { ColumnType, type SchemaDef, schema, t } from "./schema.ts";
export type { Flat, Row, TsDate, TsTimestamp, Value } from "./values.ts";
