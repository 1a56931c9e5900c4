//! The one list piece every register uses: the query string of filters, sort and page, kept as
//! typed; the sort it asks for, checked against the list's own columns, as SQL; 50 rows a page
//! with the count of all that match; the links that keep the filters (sort, page, export,
//! print); the export of every match to .xlsx, streamed; and the print view's cap.
//!
//! A list's repo function turns the filters into SQL conditions with bound values (the
//! filters' meaning is the list's own), reads one page with `count(*) over ()`, and streams all
//! matches for the export and the print view.

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
    fn pages_count_from_one_and_never_past_the_last() {
        let p = Paged::new(vec![(); 0], 101, 9);
        assert_eq!((p.pages, p.page), (3, 3));
        assert_eq!(Paged::new(vec![(); 0], 0, 1).pages, 1);
        assert_eq!(page_sql(2), " limit 50 offset 50");
    }
}
