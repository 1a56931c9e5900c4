//! Public notices (公示), one mechanism for every area: what is published on the public side for
//! a period of working days (weekends and the platform calendar's holidays are not; its 调休
//! weekend days are), objections anyone may lodge while it runs (name and contact optional, a
//! honeypot and a limit per address), how the office handled each, all audited. Awards publish
//! their recommended lists through it; a record of service or a donation list names itself as
//! the notice's subject the same way (`public_notice.subject_kind`).

pub mod forms;
pub mod model;
pub mod repo;

use crate::access::{Action, may};
use crate::audit::{Actor, Change};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::save::{self, Conflict};
use crate::web::tx::{PlatformTx, PublicTx};
use crate::web::{Ctx, flash_redirect, render, render_with, today};
use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, Path};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use forms::{OUTCOMES, ObjectionForm};
use repo::{Entry, Notice, Objection};
use std::net::SocketAddr;

/// Objections one address may lodge a day, over all the district's notices.
const PER_ADDRESS_PER_DAY: i64 = 3;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notices/{id}", get(show))
        .route("/notices/{id}/objections/{o}", post(handle))
        .route("/public/{district}/notices", get(public_list))
        .route(
            "/public/{district}/notices/{id}",
            get(public_show).post(lodge),
        )
        .route("/platform/calendar", get(calendar).post(save_calendar))
}

/// What a notice publishes; [`publish`] dates it.
pub struct Draft<'a> {
    pub subject_kind: &'static str,
    pub subject_id: i64,
    pub title: &'a str,
    pub body: &'a str,
    pub entries: &'a [Entry],
    pub working_days: i32,
    pub contact: &'a str,
}

/// Publishes a notice from `starts_on` for its working days, by the platform's calendar;
/// `None` when its subject already has one. The caller audits it with its own change.
pub async fn publish(
    tx: &mut Tx,
    tenant_id: i64,
    by: &str,
    d: Draft<'_>,
    starts_on: NaiveDate,
) -> Result<Option<(i64, NaiveDate)>> {
    let calendar = repo::calendar_from(tx, starts_on).await?;
    let ends_on = model::notice_end(starts_on, d.working_days.max(0) as u32, &calendar);
    let id = repo::insert(
        tx,
        &repo::NewNotice {
            tenant_id,
            subject_kind: d.subject_kind,
            subject_id: d.subject_id,
            title: d.title,
            body: d.body,
            entries: d.entries,
            starts_on,
            working_days: d.working_days,
            ends_on,
            contact: d.contact,
            published_by: by,
        },
    )
    .await?;
    Ok(id.map(|id| (id, ends_on)))
}

/// Where a notice's subject is kept, for the staff who handle it.
pub fn subject_href(n: &Notice) -> String {
    match n.subject_kind.as_str() {
        "award_programme" => format!("/awards/{}", n.subject_id),
        "evaluation_round" => format!("/supervision/rounds/{}", n.subject_id),
        "donation_disclosure" => format!("/donations?year={}", n.subject_id),
        _ => "/home".into(),
    }
}

/// Who handles a notice's objections: whoever runs supervision an evaluation's results, the
/// bureau and the committee office every other notice.
fn handles(user: &CurrentUser, n: &Notice) -> bool {
    match n.subject_kind.as_str() {
        "evaluation_round" => may(user.role, Action::Supervise),
        _ => may(user.role, Action::HandleNotices),
    }
}

fn may_read(user: &CurrentUser) -> bool {
    user.role.is_district_wide()
}

#[derive(Template)]
#[template(path = "notices/show.html")]
struct ShowPage {
    ctx: Ctx,
    n: Notice,
    objections: Vec<Objection>,
    back: String,
    can_handle: bool,
    errors: FieldErrors,
    /// The objection whose handling was refused, with what was typed.
    failed: Option<(i64, String, String)>,
    outcomes: &'static [&'static str],
    open: bool,
}

impl ShowPage {
    fn typed(&self, id: &i64) -> (String, String) {
        match &self.failed {
            Some((i, outcome, handling)) if i == id => (outcome.clone(), handling.clone()),
            _ => (String::new(), String::new()),
        }
    }
}

async fn show_page(
    tx: &mut Tx,
    ctx: Ctx,
    user: &CurrentUser,
    id: i64,
    errors: FieldErrors,
    failed: Option<(i64, String, String)>,
) -> Result<ShowPage> {
    if !may_read(user) {
        return Err(AppError::NotFound);
    }
    let n = repo::find(tx, user.tenant()?, id).await?.or_404()?;
    let objections = repo::objections(tx, id).await?;
    let can_handle = handles(user, &n);
    Ok(ShowPage {
        back: subject_href(&n),
        open: n.open_on(today()),
        n,
        objections,
        can_handle,
        errors,
        failed,
        outcomes: &OUTCOMES,
        ctx,
    })
}

/// `GET /notices/{id}`: the notice as published, with every objection and its handling.
pub async fn show(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let page = show_page(&mut tx, ctx, &user, id, FieldErrors::default(), None).await?;
    tx.commit().await?;
    Ok(render(&page))
}

/// `POST /notices/{id}/objections/{o}`: how an objection was handled (upheld or dismissed,
/// and what was done); versioned, so two officers never overwrite each other's account.
pub async fn handle(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, o)): Path<(i64, i64)>,
    p: Pairs,
) -> Result<Response> {
    let n = repo::find(&mut tx, user.tenant()?, id).await?.or_404()?;
    if !handles(&user, &n) {
        return Err(AppError::NotFound);
    }
    let before = repo::objection(&mut tx, id, o).await?.or_404()?;
    let input = match forms::parse_handling(&p) {
        Ok(input) => input,
        Err(errors) => {
            let failed = Some((o, p.get("outcome"), p.get("handling")));
            let page = show_page(&mut tx, ctx, &user, id, errors, failed).await?;
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let to = format!("/notices/{id}#objection-{o}");
    let done = repo::handle(
        &mut tx,
        o,
        input.version,
        &input.outcome,
        &input.handling,
        &user.display_name,
    )
    .await?;
    if !done {
        let outcome = |s: &str| {
            if s.is_empty() {
                String::new()
            } else {
                ctx.label("notice.outcome", s)
            }
        };
        return Ok(save::conflict(
            &ctx,
            Conflict {
                fields: vec![
                    crate::web::save::Compared::new(
                        "notice.outcome_label",
                        outcome(&input.outcome),
                        outcome(before.outcome.as_deref().unwrap_or("")),
                    ),
                    crate::web::save::Compared::new(
                        "notice.handling",
                        &input.handling,
                        &before.handling,
                    ),
                ],
                edit: to.clone(),
                view: to,
            },
        ));
    }
    let after = repo::objection(&mut tx, id, o).await?;
    let change = Change {
        tenant_id: user.tenant()?,
        action: "notice.objection_handle",
        entity: "notice_objection",
        entity_id: Some(o),
        before: serde_json::to_value(&before).ok(),
        after: after.and_then(|a| serde_json::to_value(a).ok()),
    };
    save::done(tx, &ctx, &user, change, "notice.handled", &to).await
}

#[derive(Template)]
#[template(path = "notices/public_list.html")]
struct PublicListPage {
    ctx: Ctx,
    district: String,
    code: String,
    list: Vec<Notice>,
    today: NaiveDate,
}

/// `GET /public/{district}/notices`: the notices running, and those of the last two years.
pub async fn public_list(ctx: Ctx, public: PublicTx) -> Result<Response> {
    let PublicTx { mut tx, district } = public;
    let list = repo::public_list(&mut tx, district.id, today()).await?;
    tx.commit().await?;
    Ok(render(&PublicListPage {
        ctx,
        district: district.name,
        code: district.code,
        list,
        today: today(),
    }))
}

#[derive(Template)]
#[template(path = "notices/public.html")]
struct PublicPage {
    ctx: Ctx,
    district: String,
    code: String,
    n: Notice,
    open: bool,
    form: ObjectionForm,
    errors: FieldErrors,
    lodged: bool,
}

async fn public_page(
    tx: &mut Tx,
    ctx: Ctx,
    district: &crate::web::tx::District,
    id: i64,
) -> Result<PublicPage> {
    let n = repo::find(tx, district.id, id)
        .await?
        .filter(|n| n.starts_on <= today())
        .or_404()?;
    Ok(PublicPage {
        ctx,
        district: district.name.clone(),
        code: district.code.clone(),
        open: n.open_on(today()),
        n,
        form: ObjectionForm::default(),
        errors: FieldErrors::default(),
        lodged: false,
    })
}

/// `GET /public/{district}/notices/{id}`: the notice, its period and the objection form while
/// it runs. Names, units and summaries only: never a phone or an ID number.
pub async fn public_show(
    ctx: Ctx,
    public: PublicTx,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response> {
    let PublicTx { mut tx, district } = public;
    let page = public_page(&mut tx, ctx, &district, id).await?;
    tx.commit().await?;
    Ok(render(&page))
}

/// `POST /public/{district}/notices/{id}`: an objection. A bot that fills the hidden field is
/// thanked and nothing kept; an address may lodge three a day.
pub async fn lodge(
    ctx: Ctx,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    public: PublicTx,
    Path((_, id)): Path<(String, i64)>,
    p: Pairs,
) -> Result<Response> {
    let PublicTx { mut tx, district } = public;
    let mut page = public_page(&mut tx, ctx.clone(), &district, id).await?;
    if !p.get("website").is_empty() {
        tracing::warn!(district = %district.code, "objection honeypot filled");
        page.lodged = true;
        return Ok(render(&page));
    }
    page.form = ObjectionForm::from_pairs(&p);
    if !page.open {
        page.errors.add("form", "notice.closed");
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let names: Vec<String> = page.n.entries.iter().map(|e| e.name.clone()).collect();
    let input = match page.form.parse(&names) {
        Ok(input) => input,
        Err(errors) => {
            page.errors = errors;
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let address = crate::web::address_hash(&format!("objection/{}", district.code), &peer);
    crate::db::lock_key(&mut tx, &format!("objection:{address}")).await?;
    if repo::lodged_today(&mut tx, &address).await? >= PER_ADDRESS_PER_DAY {
        page.errors.add("form", "notice.too_many");
        return Ok(render_with(StatusCode::TOO_MANY_REQUESTS, &page));
    }
    if crate::web::once::claim(&mut tx, &ctx, district.id)
        .await?
        .is_some()
    {
        page.form = ObjectionForm::default();
        page.lodged = true;
        return Ok(render(&page));
    }
    let objection = repo::lodge(
        &mut tx,
        &repo::NewObjection {
            tenant_id: district.id,
            notice_id: id,
            entry: &input.entry,
            name: &input.name,
            contact: &input.contact,
            text: &input.text,
            address: &address,
        },
    )
    .await?;
    let back = format!("/public/{}/notices/{id}", district.code);
    crate::web::once::created(&mut tx, &ctx, district.id, &back).await?;
    // The audit keeps what was objected to, not who objected or how to reach them.
    let change = Change {
        tenant_id: district.id,
        action: "notice.objection_lodge",
        entity: "notice_objection",
        entity_id: Some(objection),
        before: None,
        after: Some(serde_json::json!({ "notice": id, "entry": input.entry })),
    };
    let actor = Actor {
        id: None,
        name: "public".into(),
        request_id: ctx.request_id.clone(),
    };
    crate::audit::record(&mut tx, &actor, change).await?;
    tx.commit().await?;
    page.form = ObjectionForm::default();
    page.lodged = true;
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "notices/calendar.html")]
struct CalendarPage {
    ctx: Ctx,
    year: i32,
    years: Vec<i32>,
    days: Vec<repo::CalendarDay>,
    text: String,
    bad_line: Option<usize>,
}

fn calendar_text(days: &[repo::CalendarDay]) -> String {
    days.iter()
        .map(|d| {
            let kind = if d.working { "班" } else { "休" };
            format!("{} {kind} {}", d.day, d.name)
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn calendar_year(p: &str) -> i32 {
    p.parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| today().year())
}

/// `GET /platform/calendar?year=`: the year's public holidays and 调休 working days, which every
/// district's notices count by.
pub async fn calendar(
    ctx: Ctx,
    user: CurrentUser,
    PlatformTx(mut tx): PlatformTx,
    query: crate::web::list::ListQuery,
) -> Result<Response> {
    if !may(user.role, Action::ManageDistricts) {
        return Err(AppError::NotFound);
    }
    let year = calendar_year(query.get("year"));
    let days = repo::calendar_year(&mut tx, year).await?;
    let mut years = repo::calendar_years(&mut tx).await?;
    tx.commit().await?;
    for y in [year, today().year(), today().year() + 1] {
        if !years.contains(&y) {
            years.push(y);
        }
    }
    years.sort_unstable_by(|a, b| b.cmp(a));
    Ok(render(&CalendarPage {
        ctx,
        year,
        years,
        text: calendar_text(&days),
        days,
        bad_line: None,
    }))
}

/// `POST /platform/calendar` (`year`, `days`): replaces the year's days. The calendar is the
/// platform's, not a district's, so it is logged and its rows say who set them.
pub async fn save_calendar(
    ctx: Ctx,
    user: CurrentUser,
    PlatformTx(mut tx): PlatformTx,
    p: Pairs,
) -> Result<Response> {
    if !may(user.role, Action::ManageDistricts) {
        return Err(AppError::NotFound);
    }
    let year = calendar_year(&p.get("year"));
    let text = p.get("days");
    let days = match forms::parse_calendar(year, &text) {
        Ok(days) => days,
        Err(line) => {
            let saved = repo::calendar_year(&mut tx, year).await?;
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &CalendarPage {
                    ctx,
                    year,
                    years: vec![year],
                    days: saved,
                    text,
                    bad_line: Some(line),
                },
            ));
        }
    };
    let before = calendar_text(&repo::calendar_year(&mut tx, year).await?);
    repo::replace_year(&mut tx, year, &days, &user.username).await?;
    let after = calendar_text(&repo::calendar_year(&mut tx, year).await?);
    let change = Change {
        tenant_id: 0,
        action: "calendar.set",
        entity: "calendar_year",
        entity_id: Some(year.into()),
        // One line a day, as the form takes them, on one line of the log.
        before: Some(serde_json::json!({ "days": before.replace('\n', "；") })),
        after: Some(serde_json::json!({ "days": after.replace('\n', "；") })),
    };
    crate::audit::repo::insert_everywhere(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    tracing::info!(year, days = days.len(), by = %user.username, "holiday calendar set");
    Ok(flash_redirect(
        "notice.calendar_saved",
        &format!("/platform/calendar?year={year}"),
    ))
}
