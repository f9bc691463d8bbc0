/** The one mapping between tsdf column types and the Arrow types batches and files store them as. */
import * as arrow from "apache-arrow";
import type { DataType, Schema } from "../../plan/schema.ts";

/** The Arrow type a tsdf column type is stored as (timestamps are microseconds, UTC). */
export function arrowType(t: DataType): arrow.DataType {
  switch (t) {
    case "utf8":
      return new arrow.Utf8();
    case "int32":
      return new arrow.Int32();
    case "int64":
      return new arrow.Int64();
    case "float64":
      return new arrow.Float64();
    case "boolean":
      return new arrow.Bool();
    case "date32":
      return new arrow.DateDay();
    case "timestamp_us":
      return new arrow.TimestampMicrosecond("UTC");
  }
}

/** The Arrow schema of a tsdf schema; nullability carries over per field. */
export function arrowSchema(schema: Schema): arrow.Schema {
  return new arrow.Schema(schema.fields.map((f) => new arrow.Field(f.name, arrowType(f.type), f.nullable)));
}

/**
 * The tsdf type an Arrow column reads as, or undefined when tsdf has none. Narrower or wider
 * encodings of the same kind (int8/int16, float32, large utf8, other timestamp units, date64)
 * map too; readers convert such columns to `arrowType` of the result.
 */
export function tsdfType(t: arrow.DataType): DataType | undefined {
  if (arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t)) return "utf8";
  if (arrow.DataType.isInt(t)) {
    if (!t.isSigned) return t.bitWidth < 32 ? "int32" : t.bitWidth === 32 ? "int64" : undefined;
    return t.bitWidth <= 32 ? "int32" : "int64";
  }
  if (arrow.DataType.isFloat(t)) return "float64";
  if (arrow.DataType.isBool(t)) return "boolean";
  if (arrow.DataType.isDate(t)) return "date32";
  if (arrow.DataType.isTimestamp(t)) return "timestamp_us";
  return undefined;
}
