// db-benchmark join q5: big inner on int. The right side keeps its key and v2 (its other
// columns would clash with x's names); the answer is checked by its row count and column sums.
import { count, pipeline, sum } from "tsdf";
import { Big, JoinX } from "./tables.ts";

export default pipeline("join_q5", (p) => {
  const x = p.read.csv("x.csv", JoinX, { header: true });
  const big = p.read.csv("big.csv", Big, { header: true }).select("id3", "v2");
  const ans = x.join(big, "id3");
  p.output("check", ans.agg((g) => ({ rows: count(), v1: sum(g.v1), v2: sum(g.v2) })));
});
