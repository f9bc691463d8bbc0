// db-benchmark join q4: medium inner on factor. The right side keeps its key and v2 (its other
// columns would clash with x's names); the answer is checked by its row count and column sums.
import { count, pipeline, sum } from "tsdf";
import { JoinX, Medium } from "./tables.ts";

export default pipeline("join_q4", (p) => {
  const x = p.read.csv("x.csv", JoinX, { header: true });
  const medium = p.read.csv("medium.csv", Medium, { header: true }).select("id5", "v2");
  const ans = x.join(medium, "id5");
  p.output("check", ans.agg((g) => ({ rows: count(), v1: sum(g.v1), v2: sum(g.v2) })));
});
