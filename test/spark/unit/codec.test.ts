import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage } from "../../../targets/spark/proto/codec.ts";

describe("Spark Connect message codec", () => {
  it("writes an empty oneof sub-message, whose presence is the value (DataType.string)", () => {
    // Field 11, wire type 2 (length-delimited) is tag byte 0x5a, then length 0.
    expect([...encodeMessage("spark.connect.DataType", { string: {} })]).toEqual([0x5a, 0x00]);
  });

  it("writes enums by number and maps as key/value entries", () => {
    const bytes = encodeMessage("spark.connect.WriteOperation", { mode: "SAVE_MODE_OVERWRITE", options: { header: "true" } });
    // mode: field 5 varint 2; options: field 9 entry { 1: "header", 2: "true" }.
    expect([...bytes]).toEqual([0x28, 0x02, 0x4a, 0x0e, 0x0a, 0x06, ...Buffer.from("header"), 0x12, 0x04, ...Buffer.from("true")]);
  });

  it("reads back what it writes, int64 as bigint, repeated fields as arrays", () => {
    const request = {
      session_id: "s-1",
      tags: ["a", "b"],
      plan: { root: { limit: { input: { read: { data_source: { format: "csv", paths: ["/x.csv"] } } }, limit: 6 } } },
    };
    const decoded = decodeMessage("spark.connect.ExecutePlanRequest", encodeMessage("spark.connect.ExecutePlanRequest", request));
    expect(decoded).toEqual(request);
    const batch = decodeMessage(
      "spark.connect.ExecutePlanResponse",
      encodeMessage("spark.connect.ExecutePlanResponse", { arrow_batch: { row_count: 3n, data: new Uint8Array([1, 2]) } }),
    );
    expect(batch.arrow_batch).toEqual({ row_count: 3n, data: new Uint8Array([1, 2]) });
  });

  it("skips fields the table does not know (a newer server's additions)", () => {
    const withExtra = new Uint8Array([...encodeMessage("spark.connect.ConfigResponse", { session_id: "s" }), 0xa0, 0x06, 0x01]);
    expect(decodeMessage("spark.connect.ConfigResponse", withExtra)).toEqual({ session_id: "s" });
  });

  it("refuses to encode a field that is not in the table rather than drop it", () => {
    expect(() => encodeMessage("spark.connect.Limit", { limit: 1, offset: 2 })).toThrow(/no field 'offset'/);
  });
});
