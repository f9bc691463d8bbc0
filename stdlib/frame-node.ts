import type { SourceLocation } from "../plan/errors.ts";
import type { Field } from "../plan/schema.ts";
import type { FileFormat, JoinType, ReadOptions, WriteOptions } from "../plan/logical.ts";
import type { Lambda } from "./lambda.ts";

/**
 * The lazy DataFrame graph a pipeline builds. It keeps user lambdas as written, so the
 * reference evaluator can run them, and their IR once `tsdf build` has translated them.
 */
export type FrameNode =
  | { readonly op: "read"; readonly format: FileFormat; readonly path: string; readonly fields: readonly Field[] | null; readonly options: ReadOptions; readonly loc?: SourceLocation }
  | { readonly op: "filter"; readonly input: FrameNode; readonly lambda: Lambda }
  | { readonly op: "withColumn"; readonly input: FrameNode; readonly name: string; readonly lambda: Lambda }
  | { readonly op: "withColumns"; readonly input: FrameNode; readonly lambda: Lambda }
  | { readonly op: "selectNames"; readonly input: FrameNode; readonly names: readonly string[] }
  | { readonly op: "select"; readonly input: FrameNode; readonly lambda: Lambda }
  | { readonly op: "drop"; readonly input: FrameNode; readonly names: readonly string[] }
  | { readonly op: "rename"; readonly input: FrameNode; readonly from: string; readonly to: string }
  | { readonly op: "agg"; readonly input: FrameNode; readonly keys: readonly string[]; readonly lambda: Lambda }
  | { readonly op: "join"; readonly left: FrameNode; readonly right: FrameNode; readonly on: readonly string[] | Lambda | null; readonly how: JoinType }
  | { readonly op: "orderBy"; readonly input: FrameNode; readonly lambda: Lambda }
  | { readonly op: "limit"; readonly input: FrameNode; readonly n: number; readonly loc?: SourceLocation }
  | { readonly op: "distinct"; readonly input: FrameNode; readonly columns: readonly string[] | null; readonly loc?: SourceLocation }
  | { readonly op: "union"; readonly left: FrameNode; readonly right: FrameNode; readonly byName: boolean; readonly loc?: SourceLocation }
  | { readonly op: "cache"; readonly input: FrameNode };

export type FrameSink =
  | { readonly kind: "Write"; readonly frame: FrameNode; readonly format: FileFormat; readonly path: string; readonly options: WriteOptions; readonly loc?: SourceLocation }
  | { readonly kind: "Show"; readonly frame: FrameNode; readonly rows: number; readonly title?: string; readonly loc?: SourceLocation }
  | { readonly kind: "Output"; readonly frame: FrameNode; readonly name: string; readonly loc?: SourceLocation };
