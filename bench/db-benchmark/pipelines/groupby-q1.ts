// db-benchmark groupby q1: sum v1 by id1. The answer is checked by its row count and column sums.
import { count, pipeline, sum } from "tsdf";
import { GroupbyX } from "./tables.ts";

export default pipeline("groupby_q1", (p) => {
  const ans = p.read.csv("x.csv", GroupbyX, { header: true }).groupBy("id1").agg((g) => ({ v1: sum(g.v1) }));
  p.output("check", ans.agg((g) => ({ rows: count(), v1: sum(g.v1) })));
});
