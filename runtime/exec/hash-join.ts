import type { HashJoinExec } from "../../plan/physical.ts";
import { fieldIndex } from "../../plan/schema.ts";
import type { ColumnBatch } from "./columns.ts";
import { type JoinOutputs, joinOutput } from "./join-output.ts";
import { hasNull, KeyIndex } from "./keys.ts";
import { folds, HeapBytes, HeapInts } from "./wasm/heap.ts";

/**
 * Equi-join of left batches with the matching right partition (or the whole right side when
 * broadcast), built once and probed batch by batch. Output order: left rows in order, each with
 * its matches in right order; then, for right and full joins, the right rows nothing matched
 * (`unmatchedRight`, after the last batch). Null keys never match. The build side is a
 * KeyIndex over the right keys with each key's rows chained through typed arrays (first/next),
 * so neither building nor probing allocates per row.
 */
export class HashJoin {
  private readonly index: KeyIndex;
  // Rows of key id k: head[k] - 1, then next[…] in right order (0 in head: no row), in the folds' heap.
  private readonly head: HeapInts;
  private readonly next: HeapInts;
  private readonly matchedRight: HeapBytes | null;
  /** The current probe's matched pairs: left row li[m], right row ri[m] (-1: none), reused. */
  private readonly li = new HeapInts(0);
  private readonly ri = new HeapInts(0);
  /** folds.joinPairs's kind: 0 inner (and right), 1 left and full, 2 semi, 3 anti. */
  private readonly kind: number;
  /** The output wanted (`wanted`), and whether a probe with as many pairs as left rows pairs them in order. */
  private readonly made: JoinOutputs;

  constructor(
    private readonly node: HashJoinExec,
    private readonly right: ColumnBatch,
    /** The output columns something reads, and how (see JoinOutputs). */
    wanted: Omit<JoinOutputs, "leftInOrder">,
  ) {
    const rKeys = node.keys.map((k) => right.columns[fieldIndex(node.right.schema, k)] as unknown[]);
    this.index = new KeyIndex(rKeys.length);
    // A key with a null has an id too, but no rows: it matches nothing.
    const ids = Int32Array.from(this.index.addRows(rKeys, right.length));
    this.head = new HeapInts(this.index.size);
    this.next = new HeapInts(right.length, -1);
    const head = this.head.array;
    const next = this.next.array;
    const tail = new Int32Array(this.index.size);
    let repeated = false;
    for (let j = 0; j < right.length; j++) {
      if (hasNull(rKeys, j)) continue;
      const k = ids[j] as number;
      if (head[k] === 0) head[k] = j + 1;
      else {
        next[(tail[k] as number) - 1] = j;
        repeated = true;
      }
      tail[k] = j + 1;
    }
    // Each left row then has at most one pair (inner, right) or exactly one (left, full), and
    // a semi or anti join keeps a row once at most: as many pairs as rows means every row in order.
    this.made = { ...wanted, leftInOrder: !repeated || node.how === "semi" || node.how === "anti" };
    this.matchedRight = node.how === "right" || node.how === "full" ? new HeapBytes(right.length) : null;
    this.kind = { inner: 0, right: 0, left: 1, full: 1, semi: 2, anti: 3 }[node.how];
  }

  /** The output rows of one left batch: its matches and, for left and full joins, its unmatched rows. */
  probe(left: ColumnBatch): ColumnBatch {
    const { node, matchedRight } = this;
    const lKeys = node.keys.map((k) => left.columns[fieldIndex(node.left.schema, k)] as unknown[]);
    const found = this.index.findRows(lKeys, left.length);
    const foundAt = found.byteOffset;
    // A left row takes at most one slot unless it matches several right rows: then the pairs
    // are made again in buffers twice as large.
    this.li.grow(left.length);
    this.ri.grow(left.length);
    const pairs = () => folds.joinPairs(foundAt, left.length, this.head.at, this.next.at, this.kind, matchedRight ? 1 : 0, matchedRight?.at ?? 0, this.li.at, this.ri.at, this.li.length);
    let m = pairs();
    for (; m < 0; m = pairs()) {
      this.li.grow(this.li.length * 2);
      this.ri.grow(this.ri.length * 2);
    }
    return joinOutput(node, left, this.right, this.li.array.subarray(0, m), this.ri.array.subarray(0, m), null, this.made);
  }

  /** Gives the join's memory in the folds' heap back, after the last probe and `unmatchedRight`. */
  free(): void {
    this.index.free();
    for (const a of [this.head, this.next, this.li, this.ri, this.matchedRight]) a?.free();
  }

  /** For right and full joins, after every left batch: the right rows nothing matched. */
  unmatchedRight(): ColumnBatch | undefined {
    if (!this.matchedRight) return undefined;
    const noLeft: ColumnBatch = { length: 0, columns: this.node.left.schema.fields.map(() => []) };
    return joinOutput(this.node, noLeft, this.right, [], [], this.matchedRight.array, this.made);
  }
}
