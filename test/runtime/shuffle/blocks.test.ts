import * as arrow from "apache-arrow";
import { describe, expect, it } from "vitest";
import { type Block, BlockLostError, BlockStore, decodeBuffer, encodeBatches } from "../../../runtime/shuffle/blocks.ts";

const block = (owner: number): Block => ({ nodeId: 3, partition: 1, buffers: [], owner });

describe("BlockStore", () => {
  it("drops a block a task reported lost only while it is still the copy that task read", () => {
    const store = new BlockStore();
    const read = block(1);
    store.put(read);
    // Another task found it lost first, and it was made again.
    store.drop(3, 1, read);
    const remade = block(2);
    store.put(remade);
    // The slower task's report names the old copy: the new one stays.
    store.drop(3, 1, read);
    expect(store.get(3, 1)).toBe(remade);
    store.drop(3, 1, remade);
    expect(store.has(3, 1)).toBe(false);
  });
});

describe("block buffers", () => {
  const table = arrow.tableFromArrays({ n: Int32Array.from({ length: 1000 }, (_, i) => i) });
  const values = (batches: arrow.RecordBatch[]) => batches.flatMap((b) => [...(b.getChild("n") ?? [])]);

  it("read back as written, as often as they are read", () => {
    const buf = encodeBatches(table.schema, table.batches);
    for (let k = 0; k < 3; k++) expect(values(decodeBuffer(buf, 3, 1))).toEqual(values(table.batches));
  });

  it("are lost when their bytes fail the checksum, also for a corrupted copy of a stream read before", () => {
    const buf = encodeBatches(table.schema, table.batches);
    decodeBuffer(buf, 3, 1);
    const bytes = buf.bytes.slice();
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] as number) ^ 0xff;
    expect(() => decodeBuffer({ ...buf, bytes }, 3, 1)).toThrow(BlockLostError);
    expect(() => decodeBuffer({ ...buf, bytes }, 3, 1)).toThrow("block 3:1 failed its checksum");
  });
});
