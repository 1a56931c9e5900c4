//! The one list piece every register uses: the query string of filters, sort and page, kept as
//! typed; the sort it asks for, checked against the list's own columns, as SQL; 50 rows a page
//! with the count of all that match; the links that keep the filters (sort, page, export,
//! print); the export of every match to .xlsx, streamed; and the print view's cap.
//!
//! A list's repo function turns the filters into SQL conditions with bound values (the
//! filters' meaning is the list's own), reads one page with `count(*) over ()`, and streams all
//! matches for the export and the print view. A repo may instead describe a list once, as a
//! [`Listing`] (its [`Select`] and the one function binding its filters), and read it with
//! [`page`], [`count`], [`print`] and [`export_all`].

use super::urlencode;
use crate::error::{AppError, Result};
use crate::reports::xlsx::{self, Cell};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;
use futures_util::Stream;

/// Rows on a page.
pub const PAGE_SIZE: i64 = 50;
/// Rows a print view lays out at most; a longer list prints its first rows and says so.
pub const PRINT_LIMIT: i64 = 5000;

/// A list's query string as typed: filters by name, `sort`, `dir` and `page`.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pairs: Vec<(String, String)>,
}

impl<S: Send + Sync> FromRequestParts<S> for ListQuery {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        let raw = parts.uri.query().unwrap_or("");
        let pairs = serde_urlencoded::from_str(raw).map_err(|_| AppError::BadRequest)?;
        Ok(Self { pairs })
    }
}

impl ListQuery {
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Self {
            pairs: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// The same query without filter `name` (a link that clears it).
    pub fn without(&self, name: &str) -> ListQuery {
        ListQuery {
            pairs: self
                .pairs
                .iter()
                .filter(|(k, _)| k != name)
                .cloned()
                .collect(),
        }
    }

    /// The value of filter `name`, trimmed ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// The value of `name` when it is one of `allowed`, else "".
    pub fn one_of<'a>(&'a self, name: &str, allowed: &[&str]) -> &'a str {
        let value = self.get(name);
        if allowed.contains(&value) { value } else { "" }
    }

    /// A filter holding an id.
    pub fn id(&self, name: &str) -> Option<i64> {
        self.get(name).parse().ok()
    }

    /// The page asked for, from 1 (and no further than an offset can count).
    pub fn page(&self) -> i64 {
        let page = self.get("page").parse::<i64>().unwrap_or(1);
        page.clamp(1, i64::MAX / PAGE_SIZE)
    }

    pub fn sort(&self) -> &str {
        self.get("sort")
    }

    pub fn desc(&self) -> bool {
        self.get("dir") == "desc"
    }

    /// A link to `base` with these filters, and another `sort` (which starts at page 1, and
    /// turns the direction round when it is the sort already chosen) or another `page`.
    pub fn href(&self, base: &str, sort: Option<&str>, page: Option<i64>) -> String {
        let mut parts: Vec<(String, String)> = self
            .pairs
            .iter()
            .filter(|(k, v)| !v.is_empty() && !matches!(k.as_str(), "page" | "sort" | "dir"))
            .cloned()
            .collect();
        let (sort, dir) = match sort {
            Some(s) if s == self.sort() && !self.desc() => (s.to_string(), "desc"),
            Some(s) => (s.to_string(), ""),
            None => (
                self.sort().to_string(),
                if self.desc() { "desc" } else { "" },
            ),
        };
        if !sort.is_empty() {
            parts.push(("sort".into(), sort));
        }
        if !dir.is_empty() {
            parts.push(("dir".into(), dir.into()));
        }
        if let Some(p) = page.filter(|p| *p > 1) {
            parts.push(("page".into(), p.to_string()));
        }
        if parts.is_empty() {
            return base.to_string();
        }
        let query: Vec<String> = parts
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect();
        format!("{base}?{}", query.join("&"))
    }

    /// The arrow beside a sortable column's heading.
    pub fn arrow(&self, column: &str) -> &'static str {
        match (self.sort() == column, self.desc()) {
            (true, false) => " ▲",
            (true, true) => " ▼",
            _ => "",
        }
    }
}

/// A list's sortable columns: (name in the query string, SQL expression to order by).
pub struct Sorts(pub &'static [(&'static str, &'static str)]);

impl Sorts {
    /// ` order by …` for the sort asked for, or `default` when it is none of the columns; `then`
    /// keeps equal rows in a stable order.
    pub fn order_by(&self, q: &ListQuery, default: &str, then: &str) -> String {
        match self.0.iter().find(|(name, _)| *name == q.sort()) {
            Some((_, column)) => {
                let dir = if q.desc() { "desc" } else { "asc" };
                format!(" order by {column} {dir} nulls last, {then}")
            }
            None => format!(" order by {default}, {then}"),
        }
    }
}

/// ` limit … offset …` for page `page`.
pub fn page_sql(page: i64) -> String {
    format!(" limit {PAGE_SIZE} offset {}", (page - 1) * PAGE_SIZE)
}

/// One page of a list: its rows, how many match in all, and which page of how many.
pub struct Paged<T> {
    pub rows: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

/// How many pages `total` rows fill (at least one). A list that counts its matches before it
/// reads a page takes `page.min(pages(total))`, so a page past the end shows the last.
pub fn pages(total: i64) -> i64 {
    ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
}

impl<T> Paged<T> {
    pub fn new(rows: Vec<T>, total: i64, page: i64) -> Self {
        let pages = pages(total);
        Self {
            rows,
            total,
            page: page.min(pages),
            pages,
        }
    }
}

/// A list printed: how many rows are laid out, of how many.
pub struct Printed {
    pub shown: usize,
    pub total: i64,
}

impl Printed {
    pub fn truncated(&self) -> bool {
        (self.shown as i64) < self.total
    }
}

/// Every match as a one-sheet workbook named `file`, its rows streamed from the database.
pub async fn export<T>(
    file: &str,
    sheet: &str,
    title: &str,
    headers: &[&str],
    rows: impl Stream<Item = sqlx::Result<T>> + Unpin,
    cells: impl Fn(T) -> Vec<Cell>,
) -> Result<Response> {
    let mut book = xlsx::Writer::new();
    book.sheet(sheet, title, headers)
        .map_err(AppError::internal)?;
    book.stream(rows, cells).await?;
    let bytes = book.finish().map_err(AppError::internal)?;
    Ok(xlsx::download(file, bytes))
}

/// A list's statement, written once: its columns, its `from … where …` with the filters as
/// `$1, $2, …`, and its ` order by …` (from [`Sorts::order_by`]). The page, every match and
/// the count are all read from it, so the list binds its filters in one place ([`Listing`]).
pub struct Select<'a> {
    pub columns: &'a str,
    pub from: &'a str,
    pub order: String,
}

impl Select<'_> {
    /// One page, each row carrying the count of all as `total`.
    pub fn page(&self, page: i64) -> String {
        let Select {
            columns,
            from,
            order,
        } = self;
        format!(
            "select {columns}, count(*) over () as total {from}{order}{}",
            page_sql(page)
        )
    }

    /// Every match, up to `limit` (none for the export, [`PRINT_LIMIT`] for the print view).
    pub fn all(&self, limit: Option<i64>) -> String {
        let limit = limit.map(|n| format!(" limit {n}")).unwrap_or_default();
        format!("select {} {}{}{limit}", self.columns, self.from, self.order)
    }

    /// How many match.
    pub fn count(&self) -> String {
        format!("select count(*) {}", self.from)
    }
}

/// A statement with a list's filters bound, whatever it reads: the rows of a page, the stream
/// of every match, or the count's `(i64,)`.
pub type Rows<'q, T> = sqlx::query::QueryAs<'q, sqlx::Postgres, T, sqlx::postgres::PgArguments>;

/// A list as its repo module defines it (usually around the page's [`ListQuery`]): its
/// statement and its filters' values, bound in the statement's order. [`page`], [`rows`],
/// [`count`], [`print`] and [`export_all`] read any list this way.
pub trait Listing {
    type Row: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin;

    fn select(&self) -> Select<'_>;

    fn bind<'q, T>(&'q self, rows: Rows<'q, T>) -> Rows<'q, T>;

    /// The count of all a row of a page carries (its `total` column, `#[sqlx(default)]`).
    fn total(row: &Self::Row) -> i64;
}

/// Page `page` of `list`, with how many match in all.
pub async fn page<L: Listing>(
    conn: &mut sqlx::PgConnection,
    list: &L,
    page: i64,
) -> sqlx::Result<Paged<L::Row>> {
    let sql = list.select().page(page);
    let rows = list.bind(sqlx::query_as(&sql)).fetch_all(conn).await?;
    let total = rows.first().map_or(0, L::total);
    Ok(Paged::new(rows, total, page))
}

/// The rows `sql` (from [`Select::all`]) reads, as they come: for [`export`].
pub fn rows<'c, L: Listing>(
    conn: &'c mut sqlx::PgConnection,
    list: &'c L,
    sql: &'c str,
) -> impl Stream<Item = sqlx::Result<L::Row>> + 'c
where
    L::Row: 'c,
{
    list.bind(sqlx::query_as(sql)).fetch(conn)
}

/// How many rows `list` matches.
pub async fn count<L: Listing>(conn: &mut sqlx::PgConnection, list: &L) -> sqlx::Result<i64> {
    let sql = list.select().count();
    let (n,): (i64,) = list.bind(sqlx::query_as(&sql)).fetch_one(conn).await?;
    Ok(n)
}

/// The print view's rows: the first [`PRINT_LIMIT`] matches, and how many there are in all.
pub async fn print<L: Listing>(
    conn: &mut sqlx::PgConnection,
    list: &L,
) -> sqlx::Result<(Vec<L::Row>, Printed)>
where
    L::Row: 'static,
{
    use futures_util::TryStreamExt;
    let total = count(conn, list).await?;
    let sql = list.select().all(Some(PRINT_LIMIT));
    let rows: Vec<L::Row> = self::rows(conn, list, &sql).try_collect().await?;
    let printed = Printed {
        shown: rows.len(),
        total,
    };
    Ok((rows, printed))
}

/// Every match of `list` as a one-sheet workbook named `title`, streamed: its first row says
/// the district, `title` and today's date; the file is `stem-yyyymmdd.xlsx`.
pub async fn export_all<L: Listing>(
    conn: &mut sqlx::PgConnection,
    list: &L,
    district: &str,
    title: &str,
    stem: &str,
    headers: &[&str],
    cells: impl Fn(L::Row) -> Vec<Cell>,
) -> Result<Response>
where
    L::Row: 'static,
{
    let today = super::today();
    let heading = format!("{district} · {title}（{today}）");
    let file = format!("{stem}-{}.xlsx", today.format("%Y%m%d"));
    let sql = list.select().all(None);
    export(
        &file,
        title,
        &heading,
        headers,
        rows(conn, list, &sql),
        cells,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_filters_and_a_second_click_turns_the_sort_round() {
        let q = ListQuery::from_pairs(&[("q", "城关"), ("kind", ""), ("page", "3")]);
        assert_eq!(q.href("/units", None, None), "/units?q=%E5%9F%8E%E5%85%B3");
        assert_eq!(
            q.href("/units", None, Some(2)),
            "/units?q=%E5%9F%8E%E5%85%B3&page=2"
        );
        assert_eq!(
            q.href("/units", Some("name"), None),
            "/units?q=%E5%9F%8E%E5%85%B3&sort=name"
        );
        let sorted = ListQuery::from_pairs(&[("sort", "name")]);
        assert_eq!(
            sorted.href("/units", Some("name"), None),
            "/units?sort=name&dir=desc"
        );
        assert_eq!(sorted.arrow("name"), " ▲");
        assert_eq!(q.page(), 3);
        assert_eq!(ListQuery::from_pairs(&[("page", "-5")]).page(), 1);
        let far = ListQuery::from_pairs(&[("page", "999999999999999999")]).page();
        assert!(page_sql(far).ends_with(&((far - 1) * PAGE_SIZE).to_string()));
    }

    #[test]
    fn only_a_lists_own_columns_sort_it() {
        let sorts = Sorts(&[("name", "u.name")]);
        let by_name = ListQuery::from_pairs(&[("sort", "name"), ("dir", "desc")]);
        assert_eq!(
            sorts.order_by(&by_name, "u.code", "u.id"),
            " order by u.name desc nulls last, u.id"
        );
        let hostile = ListQuery::from_pairs(&[("sort", "1; drop table x")]);
        assert_eq!(
            sorts.order_by(&hostile, "u.code", "u.id"),
            " order by u.code, u.id"
        );
    }

    #[test]
    fn a_select_reads_a_page_every_match_and_the_count() {
        let s = Select {
            columns: "u.id",
            from: "from org_unit u where u.kind = $1",
            order: " order by u.id".into(),
        };
        assert_eq!(
            s.page(2),
            "select u.id, count(*) over () as total from org_unit u where u.kind = $1 order by u.id limit 50 offset 50"
        );
        assert_eq!(
            s.all(Some(PRINT_LIMIT)),
            "select u.id from org_unit u where u.kind = $1 order by u.id limit 5000"
        );
        assert_eq!(
            s.count(),
            "select count(*) from org_unit u where u.kind = $1"
        );
    }

    #[test]
    fn pages_count_from_one_and_never_past_the_last() {
        let p = Paged::new(vec![(); 0], 101, 9);
        assert_eq!((p.pages, p.page), (3, 3));
        assert_eq!(Paged::new(vec![(); 0], 0, 1).pages, 1);
        assert_eq!(page_sql(2), " limit 50 offset 50");
    }
}
