import type { HashJoinExec } from "../../plan/physical.ts";
import { fieldIndex } from "../../plan/schema.ts";
import type { ColumnBatch } from "./columns.ts";
import { joinOutput } from "./join-output.ts";
import { grownInt32, hasNull, KeyIndex } from "./keys.ts";

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
  // Rows of key id k: head[k] - 1, then next[…] in right order (0 in head: no row).
  private readonly head: Int32Array;
  private readonly next: Int32Array;
  private readonly matchedRight: Uint8Array | null;
  /** The current probe's matched pairs: left row li[m], right row ri[m] (-1: none). */
  private li: Int32Array = new Int32Array(0);
  private ri: Int32Array = new Int32Array(0);

  constructor(
    private readonly node: HashJoinExec,
    private readonly right: ColumnBatch,
  ) {
    const rKeys = node.keys.map((k) => right.columns[fieldIndex(node.right.schema, k)] as unknown[]);
    this.index = new KeyIndex(rKeys.length);
    // A key with a null has an id too, but no rows: it matches nothing.
    const ids = this.index.addRows(rKeys, right.length);
    this.head = new Int32Array(this.index.size);
    const tail = new Int32Array(this.index.size);
    this.next = new Int32Array(right.length).fill(-1);
    for (let j = 0; j < right.length; j++) {
      if (hasNull(rKeys, j)) continue;
      const k = ids[j] as number;
      if (this.head[k] === 0) this.head[k] = j + 1;
      else this.next[(tail[k] as number) - 1] = j;
      tail[k] = j + 1;
    }
    this.matchedRight = node.how === "right" || node.how === "full" ? new Uint8Array(right.length) : null;
  }

  /** The output rows of one left batch: its matches and, for left and full joins, its unmatched rows. */
  probe(left: ColumnBatch): ColumnBatch {
    const { node, head, next, matchedRight } = this;
    const lKeys = node.keys.map((k) => left.columns[fieldIndex(node.left.schema, k)] as unknown[]);
    let { li, ri } = this;
    let m = 0;
    const keepUnmatchedLeft = node.how === "left" || node.how === "full";
    const filtering = node.how === "semi" || node.how === "anti";
    const semi = node.how === "semi";
    const found = this.index.findRows(lKeys, left.length);
    // A left row takes at most one slot unless it matches several right rows (then the buffers grow).
    if (li.length < left.length) ({ li, ri } = this.reserve(left.length));
    for (let i = 0; i < left.length; i++) {
      const k = found[i] as number;
      const matched = k >= 0 && head[k] !== 0;
      if (filtering) {
        if (matched === semi) li[m++] = i;
        continue;
      }
      if (matched) {
        for (let j = (head[k] as number) - 1; j >= 0; j = next[j] as number) {
          if (m === li.length) ({ li, ri } = this.grow());
          li[m] = i;
          ri[m++] = j;
          if (matchedRight) matchedRight[j] = 1;
        }
      } else if (keepUnmatchedLeft) {
        if (m === li.length) ({ li, ri } = this.grow());
        li[m] = i;
        ri[m++] = -1;
      }
    }
    return joinOutput(node, left, this.right, li.subarray(0, m), ri.subarray(0, m), null);
  }

  /** Fresh matched-pair buffers of at least `n` slots (a probe's pairs live until its output is built). */
  private reserve(n: number): { li: Int32Array; ri: Int32Array } {
    this.li = new Int32Array(n);
    this.ri = new Int32Array(n);
    return { li: this.li, ri: this.ri };
  }

  /** Doubles the matched-pair buffers, keeping their contents. */
  private grow(): { li: Int32Array; ri: Int32Array } {
    this.li = grownInt32(this.li, this.li.length * 2);
    this.ri = grownInt32(this.ri, this.ri.length * 2);
    return { li: this.li, ri: this.ri };
  }

  /** Gives the key index's memory in the folds' heap back, after the last probe. */
  free(): void {
    this.index.free();
  }

  /** For right and full joins, after every left batch: the right rows nothing matched. */
  unmatchedRight(): ColumnBatch | undefined {
    if (!this.matchedRight) return undefined;
    const noLeft: ColumnBatch = { length: 0, columns: this.node.left.schema.fields.map(() => []) };
    return joinOutput(this.node, noLeft, this.right, [], [], this.matchedRight);
  }
}
