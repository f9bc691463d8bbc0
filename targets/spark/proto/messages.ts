/**
 * tsdf's own description of the part of the Spark Connect protocol it speaks: for each message,
 * the fields tsdf writes or reads, by name, with their wire number and type. Types are written
 * as in a `.proto` file with fully qualified message and enum names, so the drift test
 * (test/spark/protocol-drift.test.ts) can compare this table with the `.proto` resources of the
 * server's jar. Fields tsdf never uses are left out; a decoder skips them.
 */

/** A scalar, `map<string,string>`, or the full name of a message or enum in `MESSAGES`/`ENUMS`. */
export type FieldType = "string" | "bool" | "int32" | "int64" | "uint32" | "double" | "bytes" | "map<string,string>" | `spark.connect.${string}`;

export interface FieldSpec {
  readonly no: number;
  readonly type: FieldType;
  readonly repeated?: true;
}

export type MessageSpec = Readonly<Record<string, FieldSpec>>;

const f = (no: number, type: FieldType): FieldSpec => ({ no, type });
const rep = (no: number, type: FieldType): FieldSpec => ({ no, type, repeated: true });

/** Spark's type messages carry only optional refinements tsdf never sets: each is an empty message here. */
const EMPTY: MessageSpec = {};

export const MESSAGES: Readonly<Record<string, MessageSpec>> = {
  // ── base.proto: the service's requests and responses ─────────────────────────────────
  "spark.connect.Plan": { root: f(1, "spark.connect.Relation"), command: f(2, "spark.connect.Command") },
  "spark.connect.UserContext": { user_id: f(1, "string"), user_name: f(2, "string") },
  "spark.connect.ExecutePlanRequest": {
    session_id: f(1, "string"),
    user_context: f(2, "spark.connect.UserContext"),
    plan: f(3, "spark.connect.Plan"),
    client_type: f(4, "string"),
    operation_id: f(6, "string"),
    tags: rep(7, "string"),
  },
  "spark.connect.ExecutePlanResponse": {
    session_id: f(1, "string"),
    arrow_batch: f(2, "spark.connect.ExecutePlanResponse.ArrowBatch"),
    operation_id: f(12, "string"),
    result_complete: f(14, "spark.connect.ExecutePlanResponse.ResultComplete"),
    server_side_session_id: f(15, "string"),
  },
  "spark.connect.ExecutePlanResponse.ArrowBatch": { row_count: f(1, "int64"), data: f(2, "bytes") },
  "spark.connect.ExecutePlanResponse.ResultComplete": EMPTY,
  "spark.connect.KeyValue": { key: f(1, "string"), value: f(2, "string") },
  "spark.connect.ConfigRequest": {
    session_id: f(1, "string"),
    user_context: f(2, "spark.connect.UserContext"),
    operation: f(3, "spark.connect.ConfigRequest.Operation"),
    client_type: f(4, "string"),
  },
  "spark.connect.ConfigRequest.Operation": { set: f(1, "spark.connect.ConfigRequest.Set") },
  "spark.connect.ConfigRequest.Set": { pairs: rep(1, "spark.connect.KeyValue") },
  "spark.connect.ConfigResponse": { session_id: f(1, "string"), pairs: rep(2, "spark.connect.KeyValue"), warnings: rep(3, "string") },

  // ── commands.proto ─────────────────────────────────────────────────────────────────────
  "spark.connect.Command": { write_operation: f(2, "spark.connect.WriteOperation") },
  "spark.connect.WriteOperation": {
    input: f(1, "spark.connect.Relation"),
    source: f(2, "string"),
    path: f(3, "string"),
    mode: f(5, "spark.connect.WriteOperation.SaveMode"),
    partitioning_columns: rep(7, "string"),
    options: f(9, "map<string,string>"),
  },

  // ── relations.proto ────────────────────────────────────────────────────────────────────
  "spark.connect.Relation": {
    common: f(1, "spark.connect.RelationCommon"),
    read: f(2, "spark.connect.Read"),
    project: f(3, "spark.connect.Project"),
    filter: f(4, "spark.connect.Filter"),
    join: f(5, "spark.connect.Join"),
    set_op: f(6, "spark.connect.SetOperation"),
    sort: f(7, "spark.connect.Sort"),
    limit: f(8, "spark.connect.Limit"),
    aggregate: f(9, "spark.connect.Aggregate"),
    deduplicate: f(14, "spark.connect.Deduplicate"),
    subquery_alias: f(16, "spark.connect.SubqueryAlias"),
  },
  "spark.connect.RelationCommon": { plan_id: f(2, "int64") },
  "spark.connect.Read": { data_source: f(2, "spark.connect.Read.DataSource") },
  "spark.connect.Read.DataSource": {
    format: f(1, "string"),
    schema: f(2, "string"),
    options: f(3, "map<string,string>"),
    paths: rep(4, "string"),
  },
  "spark.connect.Project": { input: f(1, "spark.connect.Relation"), expressions: rep(3, "spark.connect.Expression") },
  "spark.connect.Filter": { input: f(1, "spark.connect.Relation"), condition: f(2, "spark.connect.Expression") },
  "spark.connect.Join": {
    left: f(1, "spark.connect.Relation"),
    right: f(2, "spark.connect.Relation"),
    join_condition: f(3, "spark.connect.Expression"),
    join_type: f(4, "spark.connect.Join.JoinType"),
    using_columns: rep(5, "string"),
  },
  "spark.connect.SetOperation": {
    left_input: f(1, "spark.connect.Relation"),
    right_input: f(2, "spark.connect.Relation"),
    set_op_type: f(3, "spark.connect.SetOperation.SetOpType"),
    is_all: f(4, "bool"),
    by_name: f(5, "bool"),
  },
  "spark.connect.Sort": { input: f(1, "spark.connect.Relation"), order: rep(2, "spark.connect.Expression.SortOrder"), is_global: f(3, "bool") },
  "spark.connect.Limit": { input: f(1, "spark.connect.Relation"), limit: f(2, "int32") },
  "spark.connect.Aggregate": {
    input: f(1, "spark.connect.Relation"),
    group_type: f(2, "spark.connect.Aggregate.GroupType"),
    grouping_expressions: rep(3, "spark.connect.Expression"),
    aggregate_expressions: rep(4, "spark.connect.Expression"),
  },
  "spark.connect.Deduplicate": { input: f(1, "spark.connect.Relation"), column_names: rep(2, "string"), all_columns_as_keys: f(3, "bool") },
  "spark.connect.SubqueryAlias": { input: f(1, "spark.connect.Relation"), alias: f(2, "string") },

  // ── expressions.proto ──────────────────────────────────────────────────────────────────
  "spark.connect.Expression": {
    literal: f(1, "spark.connect.Expression.Literal"),
    unresolved_attribute: f(2, "spark.connect.Expression.UnresolvedAttribute"),
    unresolved_function: f(3, "spark.connect.Expression.UnresolvedFunction"),
    expression_string: f(4, "spark.connect.Expression.ExpressionString"),
    alias: f(6, "spark.connect.Expression.Alias"),
    cast: f(7, "spark.connect.Expression.Cast"),
    sort_order: f(9, "spark.connect.Expression.SortOrder"),
  },
  "spark.connect.Expression.Literal": {
    null: f(1, "spark.connect.DataType"),
    boolean: f(3, "bool"),
    integer: f(6, "int32"),
    long: f(7, "int64"),
    double: f(11, "double"),
    string: f(13, "string"),
    date: f(16, "int32"),
    timestamp: f(17, "int64"),
  },
  "spark.connect.Expression.UnresolvedAttribute": { unparsed_identifier: f(1, "string") },
  "spark.connect.Expression.UnresolvedFunction": {
    function_name: f(1, "string"),
    arguments: rep(2, "spark.connect.Expression"),
    is_distinct: f(3, "bool"),
  },
  "spark.connect.Expression.ExpressionString": { expression: f(1, "string") },
  "spark.connect.Expression.Alias": { expr: f(1, "spark.connect.Expression"), name: rep(2, "string") },
  "spark.connect.Expression.Cast": {
    expr: f(1, "spark.connect.Expression"),
    type: f(2, "spark.connect.DataType"),
    eval_mode: f(4, "spark.connect.Expression.Cast.EvalMode"),
  },
  "spark.connect.Expression.SortOrder": {
    child: f(1, "spark.connect.Expression"),
    direction: f(2, "spark.connect.Expression.SortOrder.SortDirection"),
    null_ordering: f(3, "spark.connect.Expression.SortOrder.NullOrdering"),
  },

  // ── types.proto ────────────────────────────────────────────────────────────────────────
  "spark.connect.DataType": {
    boolean: f(3, "spark.connect.DataType.Boolean"),
    integer: f(6, "spark.connect.DataType.Integer"),
    long: f(7, "spark.connect.DataType.Long"),
    double: f(9, "spark.connect.DataType.Double"),
    string: f(11, "spark.connect.DataType.String"),
    date: f(14, "spark.connect.DataType.Date"),
    timestamp: f(15, "spark.connect.DataType.Timestamp"),
  },
  "spark.connect.DataType.Boolean": EMPTY,
  "spark.connect.DataType.Integer": EMPTY,
  "spark.connect.DataType.Long": EMPTY,
  "spark.connect.DataType.Double": EMPTY,
  "spark.connect.DataType.String": EMPTY,
  "spark.connect.DataType.Date": EMPTY,
  "spark.connect.DataType.Timestamp": EMPTY,
};

/** The enum values tsdf sends, by name. */
export const ENUMS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  "spark.connect.Join.JoinType": {
    JOIN_TYPE_INNER: 1,
    JOIN_TYPE_FULL_OUTER: 2,
    JOIN_TYPE_LEFT_OUTER: 3,
    JOIN_TYPE_RIGHT_OUTER: 4,
    JOIN_TYPE_LEFT_ANTI: 5,
    JOIN_TYPE_LEFT_SEMI: 6,
    JOIN_TYPE_CROSS: 7,
  },
  "spark.connect.SetOperation.SetOpType": { SET_OP_TYPE_UNION: 2 },
  "spark.connect.Aggregate.GroupType": { GROUP_TYPE_GROUPBY: 1 },
  "spark.connect.WriteOperation.SaveMode": {
    SAVE_MODE_APPEND: 1,
    SAVE_MODE_OVERWRITE: 2,
    SAVE_MODE_ERROR_IF_EXISTS: 3,
    SAVE_MODE_IGNORE: 4,
  },
  "spark.connect.Expression.SortOrder.SortDirection": { SORT_DIRECTION_ASCENDING: 1, SORT_DIRECTION_DESCENDING: 2 },
  "spark.connect.Expression.SortOrder.NullOrdering": { SORT_NULLS_FIRST: 1, SORT_NULLS_LAST: 2 },
  "spark.connect.Expression.Cast.EvalMode": { EVAL_MODE_LEGACY: 1, EVAL_MODE_TRY: 3 },
};
