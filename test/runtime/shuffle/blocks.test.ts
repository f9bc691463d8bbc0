import { describe, expect, it } from "vitest";
import { type Block, BlockStore } from "../../../runtime/shuffle/blocks.ts";

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
