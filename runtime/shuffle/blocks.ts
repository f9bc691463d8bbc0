/**
 * Blocks: the materialized partitions a run keeps between stages (map outputs of exchanges,
 * scanned, cached and shared partitions, results), as Arrow IPC streams. Bytes cross threads
 * by transfer; each stream carries a CRC-32 so a corrupt block is caught where it is read (the
 * first time each thread reads it: the bytes never change once written). An
 * in-memory table's partitions stay its own batches while every task runs in the driver's thread.
 */
import { crc32 } from "node:zlib";
import * as arrow from "apache-arrow";

/**
 * One Arrow IPC stream and its checksum; or, for rows that never leave the driver's thread (an
 * in-memory table's slices when tasks run inline), the batches themselves, with no bytes: there
 * is then nothing to encode, copy, decode or check.
 */
export interface BlockBuffer {
  readonly bytes: Uint8Array;
  readonly crc: number;
  readonly rows: number;
  readonly inThread?: { readonly schema: arrow.Schema; readonly batches: readonly arrow.RecordBatch[] };
}

/**
 * Partition `partition` of node `nodeId`: one buffer, or for an exchange's map output one
 * buffer per reduce partition (bucket). `owner` is the thread that computed it (0: the driver).
 */
export interface Block {
  readonly nodeId: number;
  readonly partition: number;
  readonly buffers: readonly BlockBuffer[];
  readonly owner: number;
  /** Sort keys sampled from the rows, when a range exchange reads this block. */
  readonly samples?: readonly (readonly unknown[])[];
}

/** A block that a task needed and could not read: missing, or failing its checksum. */
export class BlockLostError extends Error {
  constructor(
    readonly nodeId: number,
    readonly partition: number,
    why: string,
  ) {
    super(`block ${nodeId}:${partition} ${why}`);
    this.name = "BlockLostError";
  }
}

/**
 * The batches as one IPC stream in shared memory: a SharedArrayBuffer reaches the driver and
 * every task that reads the block without a copy (the bytes never change once written).
 */
export function encodeBatches(schema: arrow.Schema, batches: readonly arrow.RecordBatch[]): BlockBuffer {
  const ipc = arrow.tableToIPC(new arrow.Table(schema, [...batches]), "stream");
  const bytes = new Uint8Array(new SharedArrayBuffer(ipc.byteLength));
  bytes.set(ipc);
  return { bytes, crc: crc32(bytes), rows: batches.reduce((n, b) => n + b.numRows, 0) };
}

/** The ArrayBuffers of `buffers` that a message to another thread must transfer (shared ones cross as they are). */
export function transferables(buffers: Iterable<BlockBuffer>): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const b of buffers) if (b.bytes.buffer instanceof ArrayBuffer) out.add(b.bytes.buffer);
  return [...out];
}

/** Batches kept as they are, for tasks in this thread. */
export function inThreadBuffer(schema: arrow.Schema, batches: readonly arrow.RecordBatch[]): BlockBuffer {
  return { bytes: new Uint8Array(0), crc: 0, rows: batches.reduce((n, b) => n + b.numRows, 0), inThread: { schema, batches } };
}

/** The buffer as an IPC stream (an in-thread buffer is encoded). */
export function encodedBuffer(buf: BlockBuffer): BlockBuffer {
  return buf.inThread ? encodeBatches(buf.inThread.schema, buf.inThread.batches) : buf;
}

/**
 * The streams whose checksum this thread has checked. Their bytes never change once written, so
 * a stream read again in the same thread (a cached table that several stages read) is checked
 * once; a block made again, or a corrupted copy, is a new stream and is checked when read.
 */
const checked = new WeakSet<Uint8Array>();

/** The batches of a buffer, after checking its checksum (a mismatch loses block `nodeId:partition`). */
export function decodeBuffer(buf: BlockBuffer, nodeId: number, partition: number): arrow.RecordBatch[] {
  if (buf.inThread) return [...buf.inThread.batches];
  if (!checked.has(buf.bytes)) {
    if (crc32(buf.bytes) !== buf.crc) throw new BlockLostError(nodeId, partition, "failed its checksum");
    checked.add(buf.bytes);
  }
  return arrow.tableFromIPC(buf.bytes).batches;
}

/**
 * The buffer as a task on another thread may take it while the store keeps its own: shared
 * bytes as they are, others copied into a fresh ArrayBuffer (to transfer).
 */
export function copyForTransfer(buf: BlockBuffer): BlockBuffer {
  if (buf.inThread) return encodedBuffer(buf);
  if (buf.bytes.buffer instanceof SharedArrayBuffer) return buf;
  return { bytes: buf.bytes.slice(), crc: buf.crc, rows: buf.rows };
}

/** The driver's blocks of one run, by node and partition, with the thread that made each. */
export class BlockStore {
  private readonly blocks = new Map<string, Block>();

  private static key(nodeId: number, partition: number): string {
    return `${nodeId}:${partition}`;
  }

  put(block: Block): void {
    this.blocks.set(BlockStore.key(block.nodeId, block.partition), block);
  }

  get(nodeId: number, partition: number): Block | undefined {
    return this.blocks.get(BlockStore.key(nodeId, partition));
  }

  has(nodeId: number, partition: number): boolean {
    return this.blocks.has(BlockStore.key(nodeId, partition));
  }

  /**
   * Forgets a block (lost, or corrupt); lineage recomputes it when something needs it again.
   * With `only`, just when the block is still that one: a task that read a copy which was then
   * lost and made again must not drop the new one.
   */
  drop(nodeId: number, partition: number, only?: Block): void {
    const key = BlockStore.key(nodeId, partition);
    if (only === undefined || this.blocks.get(key) === only) this.blocks.delete(key);
  }

  /** Drops the blocks whose owner thread is no longer alive; returns them. */
  dropOrphans(alive: ReadonlySet<number>): Block[] {
    const lost: Block[] = [];
    for (const [key, block] of this.blocks) {
      if (block.owner !== 0 && !alive.has(block.owner)) {
        this.blocks.delete(key);
        lost.push(block);
      }
    }
    return lost;
  }

  /** Drops every partition of a node (when nothing reads it any more). */
  release(nodeId: number): void {
    for (const [key, block] of this.blocks) if (block.nodeId === nodeId) this.blocks.delete(key);
  }
}
