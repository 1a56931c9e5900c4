//! The network list's SQL (`web::list`): its filters as conditions with bound values, its
//! sortable columns and the default tree order, one page with the count of all that match, and
//! every match streamed for the export and the print view.

use super::{COLUMNS, DEMO_LEVELS, FROM, LISTED, Unit};
use crate::web::list::{ListQuery, Sorts, page_sql};
use futures_util::Stream;
use sqlx::PgConnection;

/// The filters, read from the query string:
/// `q` words in the name, code, town or village; `kind`; `town` a town school's id (that
/// school and its points); `status` one status, "" for all but closed, or "all"; `demo` an
/// approved designation at a level ("any" for any level); `transformed` "yes" or "no".
const WHERE: &str = " where u.path like $1 || '%'
    and ($2 = '' or u.name like '%' || $2 || '%' or lower(u.code) like '%' || lower($2) || '%'
         or u.area like '%' || $2 || '%' or u.village like '%' || $2 || '%')
    and ($3 = '' or u.kind = $3)
    and ($4::bigint is null or u.id = $4 or u.parent_id = $4)
    and (case $5 when 'all' then true when '' then u.status <> 'closed' else u.status = $5 end)
    and ($6 = '' or exists (select 1 from demonstration d where d.tenant_id = u.tenant_id and d.unit_id = u.id
                              and d.status = 'approved' and ($6 = 'any' or d.level = $6)))
    and (case $7 when 'yes' then u.transformed_on is not null when 'no' then u.transformed_on is null and u.kind <> 'college' else true end)";

pub const SORTS: Sorts = Sorts(&[
    ("code", "u.code"),
    ("name", "u.name"),
    (
        "kind",
        "array_position(array['college','town_school','teaching_point'], u.kind)",
    ),
    (
        "status",
        "array_position(array['planned','active','suspended','closed'], u.status)",
    ),
    ("founded", "u.founded_on"),
    (
        "staff",
        "(u.fulltime_managers + u.parttime_managers + u.fulltime_teachers + u.parttime_teachers)",
    ),
]);

/// Tree order: by the codes along the path (three levels at most), so each school is followed
/// by its points; joins rather than a subquery per row.
const TREE: &str = "concat_ws('/', g.code, p.code, u.code)";

fn order(q: &ListQuery) -> String {
    SORTS.order_by(q, TREE, "u.code")
}

type Filtered<'q, O> = sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>;

fn filtered<'q, O>(query: Filtered<'q, O>, scope: &'q str, q: &'q ListQuery) -> Filtered<'q, O> {
    query
        .bind(scope)
        .bind(crate::db::like_literal(q.get("q")))
        .bind(q.one_of("kind", &["college", "town_school", "teaching_point"]))
        .bind(q.id("town"))
        .bind(q.one_of(
            "status",
            &["planned", "active", "suspended", "closed", "all"],
        ))
        .bind(q.one_of("demo", &["any", "district", "city", "provincial"]))
        .bind(q.one_of("transformed", &["yes", "no"]))
}

/// One page of the units in scope that the filters match, each row carrying the count of all.
pub async fn page(
    conn: &mut PgConnection,
    scope: &str,
    q: &ListQuery,
    page: i64,
) -> sqlx::Result<Vec<Unit>> {
    let sql = format!(
        "select {LISTED}, {DEMO_LEVELS}, count(*) over () as total{FROM}{WHERE}{}{}",
        order(q),
        page_sql(page)
    );
    filtered(sqlx::query_as(&sql), scope, q)
        .fetch_all(conn)
        .await
}

/// The statement that reads every column of every match, up to `limit` (export, print).
pub fn all_sql(q: &ListQuery, limit: Option<i64>) -> String {
    let limit = limit.map(|n| format!(" limit {n}")).unwrap_or_default();
    format!("select {COLUMNS}{FROM}{WHERE}{}{limit}", order(q))
}

/// The units [`all_sql`] reads, as they come.
pub fn all<'c>(
    conn: &'c mut PgConnection,
    scope: &'c str,
    q: &'c ListQuery,
    sql: &'c str,
) -> impl Stream<Item = sqlx::Result<Unit>> + 'c {
    filtered(sqlx::query_as(sql), scope, q).fetch(conn)
}

/// How many units in scope the filters match.
pub async fn total(conn: &mut PgConnection, scope: &str, q: &ListQuery) -> sqlx::Result<i64> {
    let sql = format!("select count(*){FROM}{WHERE}");
    let (n,): (i64,) = filtered(sqlx::query_as(&sql), scope, q)
        .fetch_one(conn)
        .await?;
    Ok(n)
}

/// The units in scope as the unfiltered list shows them (all but closed ones, in tree order),
/// every one of them: a town's home.
pub async fn units_in_scope(conn: &mut PgConnection, scope: &str) -> sqlx::Result<Vec<Unit>> {
    let q = ListQuery::default();
    let sql = format!("select {LISTED}, {DEMO_LEVELS}{FROM}{WHERE}{}", order(&q));
    filtered(sqlx::query_as(&sql), scope, &q)
        .fetch_all(conn)
        .await
}

/// Town schools and teaching points of the district, for choosing an account's scope.
pub async fn scope_choices(conn: &mut PgConnection) -> sqlx::Result<Vec<Unit>> {
    let mut units = units_in_scope(conn, "/").await?;
    units.retain(|u| u.kind != "college");
    Ok(units)
}
