//! The bureau's side of the cycle: opening a year's cycle and choosing who files, the
//! completeness board with reminders and export, and closing and publishing.

use super::repo::{self, Cycle, Submission};
use crate::access::Role;
use crate::audit::{self, Actor, Change};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::reports::xlsx::{self, Cell};
use crate::state::AppState;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs, date};
use crate::web::once;
use crate::web::{Ctx, flash_redirect, render, render_with, today, urlencode};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cycles", get(list_cycles).post(open_cycle))
        .route("/cycles/new", get(new_cycle))
        .route("/cycles/{id}", get(show_board))
        .route("/cycles/{id}/board.xlsx", get(export_board))
        .route("/cycles/{id}/window", post(change_window))
        .route("/cycles/{id}/remind", post(remind))
        .route("/cycles/{id}/{action}", post(change_cycle_status))
}

fn may_view(user: &CurrentUser) -> Result<()> {
    if user.role.is_district_wide() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The bureau and its committee office run the cycle.
fn may_run(user: &CurrentUser) -> Result<()> {
    if matches!(user.role, Role::DistrictAdmin | Role::CommitteeOffice) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(Template)]
#[template(path = "cycle/cycles.html")]
struct CyclesPage {
    ctx: Ctx,
    cycles: Vec<Cycle>,
    can_run: bool,
}

async fn list_cycles(ctx: Ctx, user: CurrentUser, mut tx: Tx) -> Result<Response> {
    may_view(&user)?;
    let cycles = repo::cycles(&mut tx).await?;
    tx.commit().await?;
    let can_run = may_run(&user).is_ok();
    Ok(render(&CyclesPage {
        ctx,
        cycles,
        can_run,
    }))
}

#[derive(Template)]
#[template(path = "cycle/new.html")]
struct NewCyclePage {
    ctx: Ctx,
    year: String,
    opens_on: String,
    due_on: String,
    filers: Vec<String>,
    errors: FieldErrors,
}

impl NewCyclePage {
    fn chosen(&self, kind: &str) -> bool {
        self.filers.iter().any(|f| f == kind)
    }
}

const FILER_KINDS: [&str; 4] = ["member_unit", "college", "town_school", "teaching_point"];

async fn new_cycle(ctx: Ctx, user: CurrentUser) -> Result<Response> {
    may_run(&user)?;
    let year = today().year();
    let page = NewCyclePage {
        ctx,
        year: year.to_string(),
        opens_on: format!("{year}-12-01"),
        due_on: format!("{year}-12-31"),
        filers: FILER_KINDS.iter().map(|k| k.to_string()).collect(),
        errors: FieldErrors::default(),
    };
    Ok(render(&page))
}

/// Opens a year's cycle: one submission for every filer of the chosen kinds that is active now.
async fn open_cycle(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    may_run(&user)?;
    let tenant_id = user.tenant()?;
    let mut errors = FieldErrors::default();
    let year = p
        .get("year")
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        errors.add("year", "designation.year_format");
    }
    let opens_on = date(&mut errors, "opens_on", &p.get("opens_on"), true);
    let due_on = date(&mut errors, "due_on", &p.get("due_on"), true);
    if let (Some(o), Some(d)) = (opens_on, due_on)
        && d < o
    {
        errors.add("due_on", "cycle.due_before_open");
    }
    let filers: Vec<String> = p
        .all("filers")
        .into_iter()
        .filter(|f| FILER_KINDS.contains(&f.as_str()))
        .collect();
    if filers.is_empty() {
        errors.add("filers", "cycle.no_filers");
    }
    let again = |ctx, errors| NewCyclePage {
        ctx,
        year: p.get("year"),
        opens_on: p.get("opens_on"),
        due_on: p.get("due_on"),
        filers: filers.clone(),
        errors,
    };
    let (Some(year), Some(opens_on), Some(due_on), true) =
        (year, opens_on, due_on, errors.is_empty())
    else {
        return Ok(render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &again(ctx, errors),
        ));
    };
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let created = sqlx::query_scalar::<_, i64>("insert into reporting_cycle (tenant_id, year, opens_on, due_on) values ($1, $2, $3, $4) returning id")
        .bind(tenant_id)
        .bind(year)
        .bind(opens_on)
        .bind(due_on)
        .fetch_one(&mut *tx)
        .await;
    let id = match created {
        Ok(id) => id,
        Err(e) if crate::db::violates(&e, "reporting_cycle_once") => {
            let mut errors = FieldErrors::default();
            errors.add("year", "cycle.exists");
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &again(ctx, errors),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let members = if filers.iter().any(|f| f == "member_unit") {
        sqlx::query("insert into submission (tenant_id, cycle_id, member_unit_id) select $1, $2, id from member_unit where active")
            .bind(tenant_id)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
    } else {
        0
    };
    let units = sqlx::query(
        "insert into submission (tenant_id, cycle_id, org_unit_id)
         select $1, $2, id from org_unit where status = 'active' and kind = any($3)",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(&filers)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let change = Change {
        tenant_id,
        action: "cycle.open",
        entity: "reporting_cycle",
        entity_id: Some(id),
        before: None,
        after: Some(
            serde_json::json!({ "year": year, "opens_on": opens_on, "due_on": due_on, "filers": filers, "submissions": members + units }),
        ),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    let location = format!("/cycles/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    tx.commit().await?;
    Ok(flash_redirect("cycle.opened", &location))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BoardQuery {
    kind: String,
    status: String,
    page: Option<i64>,
}

impl BoardQuery {
    fn filter(&self) -> repo::BoardFilter<'_> {
        repo::BoardFilter {
            kind: &self.kind,
            status: &self.status,
            today: today(),
        }
    }

    /// The filter as a query string, for the pages and the export.
    fn query_string(&self) -> String {
        format!(
            "kind={}&status={}",
            urlencode(&self.kind),
            urlencode(&self.status)
        )
    }
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
}

/// The board's figures: overall, then per kind of filer in the board's order.
pub fn completion(counts: &[repo::KindCounts]) -> Vec<Completion> {
    let of = |k: &repo::KindCounts| Completion {
        kind: k.kind.clone(),
        filers: k.filers,
        submitted: k.submitted,
        accepted: k.accepted,
        late: k.late,
    };
    let mut all = Completion {
        kind: "all".into(),
        filers: 0,
        submitted: 0,
        accepted: 0,
        late: 0,
    };
    for k in counts {
        all.filers += k.filers;
        all.submitted += k.submitted;
        all.accepted += k.accepted;
        all.late += k.late;
    }
    let mut out = vec![all];
    for kind in FILER_KINDS {
        out.extend(counts.iter().filter(|k| k.kind == kind).map(of));
    }
    out
}

/// Filers the board shows on one page; the export has them all.
const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "cycle/board.html")]
struct BoardPage {
    ctx: Ctx,
    cycle: Cycle,
    rows: Vec<Submission>,
    completion: Vec<Completion>,
    query: BoardQuery,
    /// Filers matching the filter, on every page.
    total: i64,
    page: i64,
    pages: i64,
    can_run: bool,
    today: NaiveDate,
    errors: FieldErrors,
}

impl BoardPage {
    fn page_href(&self, page: i64) -> String {
        format!(
            "/cycles/{}?{}&page={page}",
            self.cycle.id,
            self.query.query_string()
        )
    }
}

/// The board of cycle `id` as `q` filters it: one page of filers and the figures of all of them.
async fn board_page(
    ctx: Ctx,
    mut tx: Tx,
    user: &CurrentUser,
    id: i64,
    query: BoardQuery,
    errors: FieldErrors,
) -> Result<BoardPage> {
    may_view(user)?;
    let cycle = repo::cycle(&mut tx, id).await?.or_404()?;
    let filter = query.filter();
    let counts = repo::board_counts(&mut tx, id, &filter).await?;
    let total: i64 = counts.iter().map(|k| k.matching).sum();
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let rows = repo::board_rows(
        &mut tx,
        id,
        &filter,
        Some(PAGE_SIZE),
        (page - 1) * PAGE_SIZE,
    )
    .await?;
    tx.commit().await?;
    Ok(BoardPage {
        ctx,
        cycle,
        rows,
        completion: completion(&counts),
        query,
        total,
        page,
        pages,
        can_run: may_run(user).is_ok(),
        today: today(),
        errors,
    })
}

/// `GET /cycles/{id}`: every filer with its status, submitted date, late or on time, reminders
/// sent, a page at a time under the figures of the whole cycle.
async fn show_board(
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    Path(id): Path<i64>,
    Query(q): Query<BoardQuery>,
) -> Result<Response> {
    let page = board_page(ctx, tx, &user, id, q, FieldErrors::default()).await?;
    Ok(render(&page))
}

async fn export_board(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    Query(q): Query<BoardQuery>,
) -> Result<Response> {
    may_view(&user)?;
    let cycle = repo::cycle(&mut tx, id).await?.or_404()?;
    let subs = repo::board_rows(&mut tx, id, &q.filter(), None, 0).await?;
    tx.commit().await?;
    let rows: Vec<Vec<Cell>> = subs
        .iter()
        .map(|s| {
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
        .collect();
    let headers = [
        "board.filer",
        "board.kind",
        "board.status",
        "board.submitted_on",
        "board.late",
        "board.resources",
        "board.plans",
        "board.reminders",
    ]
    .map(|k| ctx.t(k));
    let title = format!(
        "{} · {} {}",
        user.tenant_name,
        cycle.year,
        ctx.t("cycle.board")
    );
    let bytes =
        xlsx::sheet(ctx.t("cycle.board"), &title, &headers, &rows).map_err(AppError::internal)?;
    Ok(xlsx::download(
        &format!("cycle-{}-board.xlsx", cycle.year),
        bytes,
    ))
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
    let cycle = repo::cycle(&mut tx, id).await?.or_404()?;
    let one = p.get("submission").parse::<i64>().ok();
    let message = ctx.tf("notice.reminder", &[("due", &cycle.due_on)]);
    let sent = sqlx::query(
        "insert into notice (tenant_id, submission_id, message, sent_by)
         select $1, id, $3, $4 from submission
          where cycle_id = $2 and status in ('draft', 'returned') and ($5::bigint is null or id = $5)",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(&message)
    .bind(&user.username)
    .bind(one)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let change = Change {
        tenant_id,
        action: "cycle.remind",
        entity: "reporting_cycle",
        entity_id: Some(id),
        before: None,
        after: Some(serde_json::json!({ "notices": sent, "submission": one })),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    let location = format!("/cycles/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    tx.commit().await?;
    Ok(flash_redirect("cycle.reminded", &location))
}

async fn change_window(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    may_run(&user)?;
    let tenant_id = user.tenant()?;
    let cycle = repo::cycle(&mut tx, id).await?.or_404()?;
    let mut errors = FieldErrors::default();
    let opens_on = date(&mut errors, "opens_on", &p.get("opens_on"), true);
    let due_on = date(&mut errors, "due_on", &p.get("due_on"), true);
    if let (Some(o), Some(d)) = (opens_on, due_on)
        && d < o
    {
        errors.add("due_on", "cycle.due_before_open");
    }
    let (Some(opens_on), Some(due_on), true) = (opens_on, due_on, errors.is_empty()) else {
        let page = board_page(ctx, tx, &user, id, BoardQuery::default(), errors).await?;
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let done = sqlx::query("update reporting_cycle set opens_on = $3, due_on = $4, version = version + 1 where id = $1 and version = $2")
        .bind(id)
        .bind(p.get("version").parse::<i32>().unwrap_or(0))
        .bind(opens_on)
        .bind(due_on)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Ok(flash_redirect("form.conflict", &format!("/cycles/{id}")));
    }
    let change = Change {
        tenant_id,
        action: "cycle.window",
        entity: "reporting_cycle",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "opens_on": cycle.opens_on, "due_on": cycle.due_on })),
        after: Some(serde_json::json!({ "opens_on": opens_on, "due_on": due_on })),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect(
        "cycle.window_saved",
        &format!("/cycles/{id}"),
    ))
}

/// `POST /cycles/{id}/{close|reopen|publish}`: publishing makes the accepted lists public.
async fn change_cycle_status(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, action)): Path<(i64, String)>,
) -> Result<Response> {
    may_run(&user)?;
    let (from, to): (&[&str], &str) = match action.as_str() {
        "close" => (&["open"], "closed"),
        "reopen" => (&["closed"], "open"),
        "publish" => (&["open", "closed"], "published"),
        _ => return Err(AppError::NotFound),
    };
    let tenant_id = user.tenant()?;
    let cycle = repo::cycle(&mut tx, id).await?.or_404()?;
    if to == "published"
        && let Some(page) = confirm::ask(
            &ctx,
            Confirm {
                title: "cycle.confirm_publish",
                what: "cycle.confirm_publish_what",
                subject: format!("{} · {}", user.tenant_name, cycle.year),
                back: format!("/cycles/{id}"),
            },
        )
    {
        return Ok(page);
    }
    let done = sqlx::query(
        "update reporting_cycle set status = $2, version = version + 1,
                published_on = case when $2 = 'published' then $4 else published_on end
          where id = $1 and status = any($3)",
    )
    .bind(id)
    .bind(to)
    .bind(from)
    .bind(today())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(flash_redirect("step.not_now", &format!("/cycles/{id}")));
    }
    if to == "published" {
        // The public catalogue reads the lists as published, written here once.
        sqlx::query("select publish_catalogue($1)")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let change = Change {
        tenant_id,
        action: match to {
            "closed" => "cycle.close",
            "open" => "cycle.reopen",
            _ => "cycle.publish",
        },
        entity: "reporting_cycle",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "status": cycle.status })),
        after: Some(serde_json::json!({ "status": to })),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect(
        if to == "published" {
            "cycle.published"
        } else {
            "cycle.status_saved"
        },
        &format!("/cycles/{id}"),
    ))
}
