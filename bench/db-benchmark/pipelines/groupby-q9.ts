// db-benchmark groupby q9: regression v1 v2 by id2 id4, i.e. the squared Pearson correlation.
// tsdf has no corr() aggregate: r² comes from the group means of v1, v2, v1·v2, v1², v2²
// (the counts cancel), which is the same number other engines' corr() gives.
import { avg, count, pipeline, sum } from "tsdf";
import { GroupbyX } from "./tables.ts";

export default pipeline("groupby_q9", (p) => {
  const ans = p.read
    .csv("x.csv", GroupbyX, { header: true })
    .groupBy("id2", "id4")
    .agg((g) => ({
      mx: avg(g.v1),
      my: avg(g.v2),
      mxy: avg(g.v1 * g.v2),
      mxx: avg(g.v1 * g.v1),
      myy: avg(g.v2 * g.v2),
    }))
    .withColumns((r) => ({
      cov: (r.mxy ?? 0) - (r.mx ?? 0) * (r.my ?? 0),
      var1: (r.mxx ?? 0) - (r.mx ?? 0) * (r.mx ?? 0),
      var2: (r.myy ?? 0) - (r.my ?? 0) * (r.my ?? 0),
    }))
    .withColumn("r2", (r) => (r.cov * r.cov) / (r.var1 * r.var2));
  p.output("check", ans.agg((g) => ({ rows: count(), r2: sum(g.r2) })));
});
