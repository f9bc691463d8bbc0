/**
 * Write tasks: one partition of a write sink's rows (the blocks the driver holds) written into
 * the output's staging folder by a task thread, so that encoding part files (Parquet above all)
 * runs beside the other tasks instead of holding up the driver's thread.
 */
import type { FileFormat, WriteOptions } from "../../plan/logical.ts";
import type { Schema } from "../../plan/schema.ts";
import { writePartition } from "../io/write-dataset.ts";
import { type BlockBuffer, decodeBuffer } from "../shuffle/blocks.ts";

export interface WriteMessage {
  readonly kind: "write";
  /** The output's staging folder (see stageOutput). */
  readonly dir: string;
  readonly displayPath: string;
  /** The sink input's node and partition, which the buffers hold. */
  readonly nodeId: number;
  readonly partition: number;
  readonly format: FileFormat;
  readonly schema: Schema;
  readonly options: WriteOptions;
  readonly buffers: readonly BlockBuffer[];
}

/** Writes the message's partition; whether it wrote a file (see writePartition). */
export function executeWrite(msg: WriteMessage): Promise<boolean> {
  const batches = msg.buffers.flatMap((b) => decodeBuffer(b, msg.nodeId, msg.partition));
  return writePartition(msg.dir, msg.partition, msg.format, batches, msg.schema, msg.options, msg.displayPath);
}
