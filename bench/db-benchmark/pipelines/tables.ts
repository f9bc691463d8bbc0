/** The db-benchmark tables as tsdf schemas (see ../datagen.ts for how they are generated). */
import { schema, t } from "tsdf";

/** G1: the groupby table. */
export const GroupbyX = schema({
  id1: t.string(),
  id2: t.string(),
  id3: t.string(),
  id4: t.int32(),
  id5: t.int32(),
  id6: t.int32(),
  v1: t.int32(),
  v2: t.int32(),
  v3: t.float64(),
});

/** J1's left table. */
export const JoinX = schema({
  id1: t.int32(),
  id2: t.int32(),
  id3: t.int32(),
  id4: t.string(),
  id5: t.string(),
  id6: t.string(),
  v1: t.float64(),
});

/** J1's right tables: rows / 1e6, rows / 1e3 and rows rows. */
export const Small = schema({ id1: t.int32(), id4: t.string(), v2: t.float64() });
export const Medium = schema({ id1: t.int32(), id2: t.int32(), id4: t.string(), id5: t.string(), v2: t.float64() });
export const Big = schema({ id1: t.int32(), id2: t.int32(), id3: t.int32(), id4: t.string(), id5: t.string(), id6: t.string(), v2: t.float64() });
