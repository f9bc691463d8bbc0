declare const dateBrand: unique symbol;
declare const timestampBrand: unique symbol;

/**
 * A date inside a lambda or a result row: an ISO `yyyy-MM-dd` string, so `===` and `<` mean
 * what they mean for calendar dates. Get one with `toDate()`, `currentDate()` or a `t.date()` column.
 */
export type TsDate = string & { readonly [dateBrand]: "date" };
/** A timestamp: an ISO string `yyyy-MM-ddTHH:mm:ss.ffffffZ` in UTC (microsecond precision). */
export type TsTimestamp = string & { readonly [timestampBrand]: "timestamp" };

/** Values a column can hold. `t.int64()` is a `bigint`, so large ids never lose precision. */
export type Value = string | number | bigint | boolean | null | TsDate | TsTimestamp;
export type Row = { readonly [column: string]: Value };

/** Resolves an intersection into one flat object type, so editors show `{ a: string; b: number }`. */
export type Flat<T> = [T] extends [unknown] ? { [K in keyof T]: T[K] } : never;
/*
 * Row types are built lazily so the editor stays fast on wide schemas and long chains. Each
 * method's result is one flat mapped type over its column names whose column types are looked up
 * in the previous row type only when something reads them: a step costs TypeScript work for the
 * columns it changes, not for all of them (300 columns × 40 steps: ~21k type instantiations where
 * eagerly rebuilt rows took 324k; bench/types.ts). Looking a column up walks back one level per
 * step that did not touch it, so a column left untouched for ~95 chained steps is where TypeScript's
 * instantiation depth limit (TS2589) is reached; `test/types/scale.test.ts` checks 1000 × 80.
 * Each mapped type sits in a conditional type's branch, which drops the alias, so hovers show the
 * resolved row `{ id: string; total: number }`, never `Assign<…>`.
 */

/** R with the columns of C added, or replaced where R has them already. */
export type Assign<R, C> = [Extract<keyof C, keyof R>] extends [never]
  ? { [K in keyof R | keyof C]: (R & C)[K] }
  : { [K in keyof R | keyof C]: K extends keyof C ? C[K] : K extends keyof R ? R[K] : never };
/** R without the columns K. */
export type Without<R, K> = [K] extends [unknown] ? { [P in Exclude<keyof R, K>]: R[P] } : never;
/** R's columns K only. */
export type PickColumns<R, K extends keyof R> = [K] extends [unknown] ? { [P in K]: R[P] } : never;
/** R with column F renamed to T. */
export type Rename<R, F extends keyof R, T extends string> = Assign<Without<R, F>, { [P in T]: R[F] }>;
export type Nullable<T> = { [K in keyof T]: T[K] | null };
/** `T | null` when any of `A` may be null. */
export type NullIf<A, T> = null extends A ? T | null : T;
/**
 * A lambda result's column type: literal types widened (`"big" | "small"` → `string`), so a
 * column computed by a conditional is a `string` column; dates and timestamps stay branded.
 */
export type Widen<V> = V extends TsDate | TsTimestamp
  ? V
  : V extends string
    ? string
    : V extends number
      ? number
      : V extends bigint
        ? bigint
        : V extends boolean
          ? boolean
          : V;
