// db-benchmark join q1: small inner on int. The right side keeps its key and v2 (its other
// columns would clash with x's names); the answer is checked by its row count and column sums.
import { count, pipeline, sum } from "tsdf";
import { JoinX, Small } from "./tables.ts";

export default pipeline("join_q1", (p) => {
  const x = p.read.csv("x.csv", JoinX, { header: true });
  const small = p.read.csv("small.csv", Small, { header: true }).select("id1", "v2");
  const ans = x.join(small, "id1");
  p.output("check", ans.agg((g) => ({ rows: count(), v1: sum(g.v1), v2: sum(g.v2) })));
});
