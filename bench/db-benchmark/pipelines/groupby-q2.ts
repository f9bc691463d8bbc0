// db-benchmark groupby q2: sum v1 by id1:id2.
import { count, pipeline, sum } from "tsdf";
import { GroupbyX } from "./tables.ts";

export default pipeline("groupby_q2", (p) => {
  const ans = p.read.csv("x.csv", GroupbyX, { header: true }).groupBy("id1", "id2").agg((g) => ({ v1: sum(g.v1) }));
  p.output("check", ans.agg((g) => ({ rows: count(), v1: sum(g.v1) })));
});
