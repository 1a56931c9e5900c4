//! A cycle's completeness board: every filer with its status, submitted date, late or on time
//! and reminders sent, filtered by kind and status, sorted, a page at a time under the figures
//! of the whole cycle; its export and print view; and reminders to those not yet submitted.

use super::model::{FILER_KINDS, FILINGS};
use super::repo::board::{self as repo, KindCounts};
use super::repo::submissions::Submission;
use super::repo::{self as cycles, Cycle};
use super::{may_run, may_view};
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{OrNotFound, Result};
use crate::reports::xlsx::Cell;
use crate::state::AppState;
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::list::{self, ListQuery, PRINT_LIMIT, Paged, Printed};
use crate::web::{Ctx, once, render, save, today};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::NaiveDate;
use futures_util::TryStreamExt;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cycles/{id}", get(show_board))
        .route("/cycles/{id}/board.xlsx", get(export_board))
        .route("/cycles/{id}/print", get(print_board))
        .route("/cycles/{id}/remind", post(remind))
}

/// Completion of one kind of filer (or all).
pub struct Completion {
    pub kind: String,
    pub filers: i64,
    pub submitted: i64,
    pub accepted: i64,
    pub late: i64,
}

impl Completion {
    fn pct(n: i64, of: i64) -> String {
        (n * 100)
            .checked_div(of)
            .map_or_else(|| "—".into(), |p| format!("{p}%"))
    }

    pub fn submitted_pct(&self) -> String {
        Self::pct(self.submitted, self.filers)
    }

    pub fn accepted_pct(&self) -> String {
        Self::pct(self.accepted, self.filers)
    }

    pub fn label(&self) -> String {
        format!("filer.{}", self.kind)
    }

    fn of(kind: &str, counts: &[&KindCounts]) -> Self {
        let sum = |f: fn(&KindCounts) -> i64| counts.iter().map(|k| f(k)).sum::<i64>();
        Self {
            kind: kind.to_string(),
            filers: sum(|k| k.filers),
            submitted: sum(|k| k.submitted),
            accepted: sum(|k| k.accepted),
            late: sum(|k| k.late),
        }
    }
}

/// The board's figures: overall, then per kind of filer in the board's order.
pub fn completion(counts: &[KindCounts]) -> Vec<Completion> {
    let all: Vec<&KindCounts> = counts.iter().collect();
    let mut out = vec![Completion::of("all", &all)];
    for kind in FILER_KINDS {
        out.extend(
            counts
                .iter()
                .filter(|k| k.kind == kind)
                .map(|k| Completion::of(kind, &[k])),
        );
    }
    out
}

/// How many filers the filters match: the figures count them by kind.
fn matching(counts: &[KindCounts]) -> i64 {
    counts.iter().map(|k| k.matching).sum()
}

#[derive(Template)]
#[template(path = "cycle/board.html")]
pub struct BoardPage {
    ctx: Ctx,
    cycle: Cycle,
    list: Paged<Submission>,
    completion: Vec<Completion>,
    query: ListQuery,
    /// The board's address, and its export's and print view's (the links add the filters).
    base: String,
    export: String,
    print: String,
    filings: &'static [&'static str],
    kinds: &'static [&'static str],
    can_run: bool,
    today: NaiveDate,
    errors: FieldErrors,
}

/// The board of cycle `id` as `query` filters it: one page of filers (a page past the end is
/// the last) and the figures of all of them; `errors` of a refused window beside its form.
pub async fn board_page(
    ctx: Ctx,
    mut tx: Tx,
    user: &CurrentUser,
    id: i64,
    query: ListQuery,
    errors: FieldErrors,
) -> Result<BoardPage> {
    may_view(user)?;
    let cycle = cycles::cycle(&mut tx, id).await?.or_404()?;
    let counts = repo::counts(&mut tx, id, &query).await?;
    let total = matching(&counts);
    let page = query.page().min(list::pages(total));
    let rows = repo::page(&mut tx, id, &query, page).await?;
    tx.commit().await?;
    Ok(BoardPage {
        ctx,
        base: format!("/cycles/{id}"),
        export: format!("/cycles/{id}/board.xlsx"),
        print: format!("/cycles/{id}/print"),
        cycle,
        list: Paged::new(rows, total, page),
        completion: completion(&counts),
        query,
        filings: &FILINGS,
        kinds: &FILER_KINDS,
        can_run: may_run(user).is_ok(),
        today: today(),
        errors,
    })
}

/// `GET /cycles/{id}?<filters>`: the board.
async fn show_board(
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    Path(id): Path<i64>,
    query: ListQuery,
) -> Result<Response> {
    let page = board_page(ctx, tx, &user, id, query, FieldErrors::default()).await?;
    Ok(render(&page))
}

const COLUMNS: [&str; 8] = [
    "board.filer",
    "board.kind",
    "board.status",
    "board.submitted_on",
    "board.late",
    "board.resources",
    "board.plans",
    "board.reminders",
];

/// `GET /cycles/{id}/board.xlsx?<filters>`: every filer the board shows with those filters,
/// streamed.
async fn export_board(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    query: ListQuery,
) -> Result<Response> {
    may_view(&user)?;
    let cycle = cycles::cycle(&mut tx, id).await?.or_404()?;
    let headers: Vec<&str> = COLUMNS.iter().map(|k| ctx.t(k)).collect();
    let title = format!(
        "{} · {} {}",
        user.tenant_name,
        cycle.year,
        ctx.t("cycle.board")
    );
    let sql = repo::all_sql(&query, None);
    let rows = repo::all(&mut tx, id, &query, &sql);
    let file = format!("cycle-{}-board.xlsx", cycle.year);
    list::export(&file, ctx.t("cycle.board"), &title, &headers, rows, |s| {
        vec![
            s.filer_name.as_str().into(),
            ctx.tr(&s.kind_label()).into(),
            ctx.tr(&s.status_label()).into(),
            s.submitted_text().into(),
            (if s.is_late() {
                ctx.t("submission.late")
            } else {
                ""
            })
            .into(),
            Cell::Number(s.resources as f64),
            Cell::Number(s.plans as f64),
            Cell::Number(s.reminders as f64),
        ]
    })
    .await
}

#[derive(Template)]
#[template(path = "cycle/board_print.html")]
struct PrintPage {
    ctx: Ctx,
    cycle: Cycle,
    rows: Vec<Submission>,
    completion: Vec<Completion>,
    printed: Printed,
    /// The board and its export, with the filters.
    back: String,
    export: String,
    district: String,
    date: String,
}

/// `GET /cycles/{id}/print?<filters>`: the board for the printer, its figures first.
async fn print_board(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    query: ListQuery,
) -> Result<Response> {
    may_view(&user)?;
    let cycle = cycles::cycle(&mut tx, id).await?.or_404()?;
    let counts = repo::counts(&mut tx, id, &query).await?;
    let sql = repo::all_sql(&query, Some(PRINT_LIMIT));
    let rows: Vec<Submission> = repo::all(&mut tx, id, &query, &sql).try_collect().await?;
    tx.commit().await?;
    Ok(render(&PrintPage {
        ctx,
        cycle,
        printed: Printed {
            shown: rows.len(),
            total: matching(&counts),
        },
        rows,
        completion: completion(&counts),
        back: query.href(&format!("/cycles/{id}"), None, None),
        export: query.href(&format!("/cycles/{id}/board.xlsx"), None, None),
        district: user.tenant_name.clone(),
        date: today().to_string(),
    }))
}

/// `POST /cycles/{id}/remind`: an in-app notice to one filer, or every filer not yet submitted.
async fn remind(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    may_run(&user)?;
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let cycle = cycles::cycle(&mut tx, id).await?.or_404()?;
    let one = p.get("submission").parse::<i64>().ok();
    let message = ctx.tf("notice.reminder", &[("due", &cycle.due_on)]);
    let sent = repo::remind(&mut tx, tenant_id, id, one, &message, &user.username).await?;
    let location = format!("/cycles/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    let change = Change {
        tenant_id,
        action: "cycle.remind",
        entity: "reporting_cycle",
        entity_id: Some(id),
        before: None,
        after: Some(serde_json::json!({ "notices": sent, "submission": one })),
    };
    save::done(tx, &ctx, &user, change, "cycle.reminded", &location).await
}
