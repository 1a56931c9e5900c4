//! Award programmes: the bureau defines one a year per kind, with who nominates and how many,
//! the materials, the panel and its criteria, the dates and the rules; opens it, closes the
//! nominations, publishes the recommended list for public notice and confirms the winners.

use super::forms::ProgrammeForm;
use super::model::{
    KINDS, NOMINATORS, NOMINEE_KINDS, Stage, certificate_prefix, needs_approval, ranks,
};
use super::repo::{self, Nomination, Programme, Seen};
use super::{Standing, programme, require};
use crate::access::Action;
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::{Tx, violates};
use crate::error::{AppError, OrNotFound, Result};
use crate::notices::repo::{Entry, Notice};
use crate::reports::xlsx::Cell;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::list::ListQuery;
use crate::web::save::{self, Conflict};
use crate::web::transition::Step;
use crate::web::tx::PublicTx;
use crate::web::{Ctx, flash_redirect, once, render, render_with, today};
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;

fn change(
    tenant_id: i64,
    action: &'static str,
    id: i64,
    after: serde_json::Value,
) -> Change<'static> {
    Change {
        tenant_id,
        action,
        entity: "award_programme",
        entity_id: Some(id),
        before: None,
        after: Some(after),
    }
}

#[derive(Template)]
#[template(path = "awards/index.html")]
struct ListPage {
    ctx: Ctx,
    list: Vec<Programme>,
    year: Option<i32>,
    years: Vec<i32>,
    can_manage: bool,
}

/// `GET /awards?year=`: the programmes a user may see (a nominating unit: those open to it;
/// a panel member: their panels').
pub async fn list(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    require(&user, Action::ViewAwards)?;
    let year = query.get("year").parse::<i32>().ok();
    let all = repo::programmes(&mut tx, year).await?;
    let panels = repo::panels_of(&mut tx, user.id).await?;
    let nominator = super::nominator(&mut tx, &user).await?;
    tx.commit().await?;
    let list = all
        .into_iter()
        .filter(|p| {
            user.role.is_district_wide()
                || panels.contains(&p.id)
                || nominator.is_some_and(|(_, kind)| {
                    p.status != "draft" && p.nominators.iter().any(|n| n == kind)
                })
        })
        .collect();
    let now = today().year();
    Ok(render(&ListPage {
        ctx,
        list,
        year,
        years: (now - 4..=now + 1).rev().collect(),
        can_manage: crate::access::may(user.role, Action::ManageAwards),
    }))
}

impl ListPage {
    fn picked(&self, y: &i32) -> bool {
        self.year == Some(*y)
    }
}

#[derive(Template)]
#[template(path = "awards/programme_form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: ProgrammeForm,
    errors: FieldErrors,
    kinds: &'static [&'static str],
    nominee_kinds: &'static [&'static str],
    nominators: &'static [&'static str],
}

fn form_page(ctx: Ctx, id: Option<i64>, form: ProgrammeForm, errors: FieldErrors) -> FormPage {
    FormPage {
        ctx,
        id,
        form,
        errors,
        kinds: &KINDS,
        nominee_kinds: &NOMINEE_KINDS,
        nominators: &NOMINATORS,
    }
}

pub async fn new_form(ctx: Ctx, user: CurrentUser, query: ListQuery) -> Result<Response> {
    require(&user, Action::ManageAwards)?;
    let kind = query.one_of("kind", &KINDS);
    let kind = if kind.is_empty() {
        "learning_star"
    } else {
        kind
    };
    let year = today().year();
    let form = ProgrammeForm {
        year: year.to_string(),
        kind: kind.into(),
        name: ctx.tf(&format!("award.default_name.{kind}"), &[("year", &year)]),
        nominee_kind: super::model::nominee_kind_of(kind).into(),
        nominators: vec!["town_school".into(), "college".into()],
        quota: "2".into(),
        criteria: ctx.tr("award.default_criteria"),
        notice_days: "5".into(),
        issuing_body: ctx.tr("award.default_issuer"),
        ..Default::default()
    };
    Ok(render(&form_page(ctx, None, form, FieldErrors::default())))
}

fn once_error(errors: &mut FieldErrors, e: &sqlx::Error) -> bool {
    if violates(e, "award_programme_once") {
        errors.add("name", "award.name_taken");
        true
    } else {
        false
    }
}

pub async fn create(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require(&user, Action::ManageAwards)?;
    let form = ProgrammeForm::from_pairs(&p);
    let input = match form.parse(false) {
        Ok(input) => input,
        Err(errors) => {
            let page = form_page(ctx, None, form, errors);
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let id = match repo::insert_programme(&mut tx, tenant_id, &input).await {
        Ok(id) => id,
        Err(e) => {
            let mut errors = FieldErrors::default();
            if !once_error(&mut errors, &e) {
                return Err(e.into());
            }
            tx.rollback().await?;
            let page = form_page(ctx, None, form, errors);
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let location = format!("/awards/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    let after = repo::programme(&mut tx, user.tenant()?, id).await?;
    let change = Change {
        tenant_id,
        action: "award.programme_create",
        entity: "award_programme",
        entity_id: Some(id),
        before: None,
        after: after.and_then(|p| serde_json::to_value(p).ok()),
    };
    save::done(tx, &ctx, &user, change, "award.saved", &location).await
}

/// A nomination as its programme's page lists it, with its rank among those shown.
pub struct Row {
    pub n: Nomination,
    pub rank: Option<usize>,
}

#[derive(Template)]
#[template(path = "awards/programme.html")]
struct ShowPage {
    ctx: Ctx,
    p: Programme,
    s: Standing,
    rows: Vec<Row>,
    panel: Vec<repo::Member>,
    my_scored: Vec<i64>,
    quota_used: i64,
    can_nominate: bool,
    notice: Option<Notice>,
    next: Option<Stage>,
    stages: [Stage; 5],
}

impl ShowPage {
    /// Whether the panel's figures of `n` may be shown: a panel member sees them only once
    /// their own score of it is in.
    fn shows_scores(&self, n: &Nomination) -> bool {
        shows_scores(&self.s, &self.my_scored, n.id)
    }

    fn reached(&self, stage: &Stage) -> bool {
        let at = Stage::parse(&self.p.status).unwrap_or(Stage::Draft);
        Stage::ALL.iter().position(|s| s == stage) <= Stage::ALL.iter().position(|s| *s == at)
    }

    fn panel_size(&self) -> usize {
        self.panel.iter().filter(|m| m.on_panel).count()
    }
}

/// Whether the panel's figures of nomination `id` are shown: to the district once a panel
/// member's own score of it is in (never before), never to a nominating unit.
fn shows_scores(s: &Standing, my_scored: &[i64], id: i64) -> bool {
    if s.panel {
        my_scored.contains(&id)
    } else {
        s.district
    }
}

/// The rows a user sees of a programme: the district its submitted nominations, a nominating
/// unit its own, a panel the nominations before it.
async fn rows(tx: &mut Tx, p: &Programme, s: &Standing) -> Result<Vec<Row>> {
    let seen = if s.district {
        Seen::District
    } else if s.panel && p.status != "draft" && p.status != "nominating" {
        Seen::Panel
    } else if let Some(u) = s.nominator {
        Seen::Unit(u)
    } else {
        return Ok(Vec::new());
    };
    let list = repo::nominations(tx, p.id, &seen).await?;
    let means: Vec<Option<f64>> = list
        .iter()
        .map(|n| n.mean.filter(|_| n.status != "withdrawn"))
        .collect();
    Ok(list
        .into_iter()
        .zip(ranks(&means))
        .map(|(n, rank)| Row { n, rank })
        .collect())
}

async fn show_page(tx: &mut Tx, ctx: Ctx, user: &CurrentUser, id: i64) -> Result<ShowPage> {
    let (p, s) = programme(tx, user, id).await?;
    let mut rows = rows(tx, &p, &s).await?;
    // A nominating unit also sees its own drafts beside the district's list.
    if s.district
        && let Some(u) = s.nominator
    {
        let mine = repo::nominations(tx, p.id, &Seen::Unit(u)).await?;
        rows.extend(
            mine.into_iter()
                .filter(|n| n.status == "draft")
                .map(|n| Row { n, rank: None }),
        );
    }
    let panel = if s.manages {
        repo::panel_choices(tx, id).await?
    } else {
        Vec::new()
    };
    let my_scored = if s.panel {
        repo::scored_by(tx, id, user.id).await?
    } else {
        Vec::new()
    };
    let quota_used = match s.nominator {
        Some(u) => repo::counted(tx, id, u, 0).await?,
        None => 0,
    };
    let notice = match p.notice_id {
        Some(n) => crate::notices::repo::find(tx, user.tenant()?, n).await?,
        None => None,
    };
    let can_nominate =
        s.nominator.is_some() && p.status == "nominating" && today() <= p.nominations_close;
    let next = Stage::parse(&p.status).and_then(Stage::next);
    Ok(ShowPage {
        ctx,
        p,
        s,
        rows,
        panel,
        my_scored,
        quota_used,
        can_nominate,
        notice,
        next,
        stages: Stage::ALL,
    })
}

/// `GET /awards/{id}`: the programme, its steps, the nominations the user may see with the
/// panel's mean and rank where they may see them, and what the user may do next.
pub async fn show(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let page = show_page(&mut tx, ctx, &user, id).await?;
    tx.commit().await?;
    Ok(render(&page))
}

/// `GET /awards/{id}/export.xlsx`: the nominations as the page lists them.
pub async fn export(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let page = show_page(&mut tx, ctx.clone(), &user, id).await?;
    tx.commit().await?;
    let headers = [
        ctx.t("award.nominator"),
        ctx.t("award.nominee_name"),
        ctx.t("award.nominee_unit"),
        ctx.t("award.status"),
        ctx.t("award.scored"),
        ctx.t("award.mean"),
        ctx.t("award.rank"),
        ctx.t("award.decision_reason"),
        ctx.t("award.certificate_no"),
    ];
    let shown: Vec<bool> = page
        .rows
        .iter()
        .map(|r| shows_scores(&page.s, &page.my_scored, r.n.id))
        .collect();
    let rows: Vec<sqlx::Result<(bool, Row)>> = shown.into_iter().zip(page.rows).map(Ok).collect();
    let title = page.p.name.clone();
    crate::web::list::export(
        &format!("awards-{id}.xlsx"),
        ctx.t("award.nominations"),
        &title,
        &headers,
        futures_util::stream::iter(rows),
        |(shown, r)| {
            vec![
                Cell::Text(r.n.nominator.clone()),
                Cell::Text(r.n.nominee_name.clone()),
                Cell::Text(r.n.nominee_unit.clone()),
                Cell::Text(ctx.label("award.nomination_status", &r.n.status)),
                Cell::from(r.n.scored),
                match r.n.mean.filter(|_| shown) {
                    Some(m) => Cell::Number(m),
                    None => Cell::Empty,
                },
                match r.rank.filter(|_| shown) {
                    Some(k) => Cell::from(k as i64),
                    None => Cell::Empty,
                },
                Cell::Text(r.n.decision_reason.clone()),
                Cell::Text(r.n.certificate_no.clone().unwrap_or_default()),
            ]
        },
    )
    .await
}

pub async fn edit_form(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    require(&user, Action::ManageAwards)?;
    let p = repo::programme(&mut tx, user.tenant()?, id)
        .await?
        .or_404()?;
    tx.commit().await?;
    if !matches!(p.status.as_str(), "draft" | "nominating") {
        return Ok(flash_redirect("award.fixed_now", &format!("/awards/{id}")));
    }
    Ok(render(&form_page(
        ctx,
        Some(id),
        ProgrammeForm::from_programme(&p),
        FieldErrors::default(),
    )))
}

/// `POST /awards/{id}`: an edit, versioned, while the programme is a draft or open for
/// nominations.
pub async fn update(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    require(&user, Action::ManageAwards)?;
    let before = repo::programme(&mut tx, user.tenant()?, id)
        .await?
        .or_404()?;
    let form = ProgrammeForm::from_pairs(&p);
    let input = match form.parse(before.status != "draft") {
        Ok(input) => input,
        Err(errors) => {
            let page = form_page(ctx, Some(id), form, errors);
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let to = format!("/awards/{id}");
    let version = form.version.parse::<i32>().unwrap_or(0);
    let saved = match repo::update_programme(&mut tx, id, version, &input).await {
        Ok(saved) => saved,
        Err(e) => {
            let mut errors = FieldErrors::default();
            if !once_error(&mut errors, &e) {
                return Err(e.into());
            }
            tx.rollback().await?;
            let page = form_page(ctx, Some(id), form, errors);
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    if !saved {
        return Ok(save::conflict(
            &ctx,
            Conflict {
                fields: form.compare(&before),
                edit: format!("/awards/{id}/edit"),
                view: to,
            },
        ));
    }
    let after = repo::programme(&mut tx, user.tenant()?, id).await?;
    let change = Change {
        tenant_id: user.tenant()?,
        action: "award.programme_update",
        entity: "award_programme",
        entity_id: Some(id),
        before: serde_json::to_value(&before).ok(),
        after: after.and_then(|p| serde_json::to_value(p).ok()),
    };
    save::done(tx, &ctx, &user, change, "award.saved", &to).await
}

/// `POST /awards/{id}/panel` (`member` repeated): the panel, until the review begins.
pub async fn set_panel(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    require(&user, Action::ManageAwards)?;
    let programme = repo::programme(&mut tx, user.tenant()?, id)
        .await?
        .or_404()?;
    let to = format!("/awards/{id}#panel");
    if !matches!(programme.status.as_str(), "draft" | "nominating") {
        return Ok(flash_redirect("award.fixed_now", &to));
    }
    let members: Vec<i64> = p
        .all("member")
        .iter()
        .filter_map(|m| m.parse().ok())
        .collect();
    let tenant_id = user.tenant()?;
    repo::lock_programme(&mut tx, id).await?;
    repo::set_panel(&mut tx, tenant_id, id, &members).await?;
    let panel: Vec<String> = repo::panel_choices(&mut tx, id)
        .await?
        .into_iter()
        .filter(|m| m.on_panel)
        .map(|m| m.display_name)
        .collect();
    let after = serde_json::json!({ "panel": panel });
    save::done(
        tx,
        &ctx,
        &user,
        change(tenant_id, "award.panel_set", id, after),
        "award.panel_saved",
        &to,
    )
    .await
}

/// `POST /awards/{id}/stage` (`to`): the programme's next step, after a confirmation. Opening
/// needs a commendation's approval number; closing the nominations a panel; publishing the
/// notice a decision on every submitted nomination and one recommended at least; confirming
/// the awards a notice that has ended with every objection handled.
pub async fn advance(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    require(&user, Action::ManageAwards)?;
    let programme = repo::programme(&mut tx, user.tenant()?, id)
        .await?
        .or_404()?;
    let at = Stage::parse(&programme.status).or_404()?;
    let to_page = format!("/awards/{id}");
    let Some(next) = at.next().filter(|n| n.as_str() == p.get("to")) else {
        return Ok(flash_redirect("step.not_now", &to_page));
    };
    let c = Confirm {
        title: match next {
            Stage::Nominating => "award.confirm_open",
            Stage::Review => "award.confirm_review",
            Stage::Notice => "award.confirm_notice",
            _ => "award.confirm_award",
        },
        what: match next {
            Stage::Nominating => "award.confirm_open_what",
            Stage::Review => "award.confirm_review_what",
            Stage::Notice => "award.confirm_notice_what",
            _ => "award.confirm_award_what",
        },
        subject: programme.name.clone(),
        back: to_page.clone(),
    };
    if let Some(page) = confirm::ask(&ctx, c) {
        return Ok(page);
    }
    let tenant_id = user.tenant()?;
    repo::lock_programme(&mut tx, id).await?;
    // What must hold before the step, checked under the programme's lock.
    let refused = match next {
        Stage::Nominating => (needs_approval(&programme.kind)
            && programme.approval_no.trim().is_empty())
        .then_some("award.approval_required"),
        Stage::Review => {
            let panel = repo::panel_choices(&mut tx, id).await?;
            (!panel.iter().any(|m| m.on_panel)).then_some("award.panel_required")
        }
        Stage::Notice => {
            if repo::count_in(&mut tx, id, &["submitted", "returned"]).await? > 0 {
                Some("award.undecided")
            } else if repo::count_in(&mut tx, id, &["recommended"]).await? == 0 {
                Some("award.none_recommended")
            } else {
                None
            }
        }
        Stage::Awarded => {
            let notice = match programme.notice_id {
                Some(n) => crate::notices::repo::find(&mut tx, user.tenant()?, n).await?,
                None => None,
            };
            match notice {
                None => Some("award.no_notice"),
                Some(n) if today() <= n.ends_on => Some("award.notice_running"),
                Some(n) if n.unhandled > 0 => Some("award.objections_open"),
                Some(_) => None,
            }
        }
        Stage::Draft => Some("step.not_now"),
    };
    if let Some(key) = refused {
        return Ok(flash_redirect(key, &to_page));
    }
    let step = Step {
        table: "award_programme",
        id,
        from: &[at.as_str()],
        to: next.as_str(),
        version: None,
        also: "status_since = $5",
        note: "",
    };
    if !step.apply(&mut tx).await? {
        return Ok(flash_redirect("step.not_now", &to_page));
    }
    let mut after = serde_json::json!({ "from": at.as_str(), "to": next.as_str() });
    match next {
        Stage::Notice => {
            let recommended = repo::nominations(&mut tx, id, &Seen::District).await?;
            let entries: Vec<Entry> = recommended
                .iter()
                .filter(|n| n.status == "recommended")
                .map(|n| Entry {
                    name: n.nominee_name.clone(),
                    unit: n.nominee_unit.clone(),
                    summary: n.summary.clone(),
                })
                .collect();
            let title = ctx.tf("award.notice_title", &[("name", &programme.name)]);
            let body = ctx.tf(
                "award.notice_body",
                &[("name", &programme.name), ("body", &programme.issuing_body)],
            );
            let draft = crate::notices::Draft {
                subject_kind: "award_programme",
                subject_id: id,
                title: &title,
                body: &body,
                entries: &entries,
                working_days: programme.notice_days,
                contact: &programme.issuing_body,
            };
            let (notice, ends_on) =
                crate::notices::publish(&mut tx, tenant_id, &user.display_name, draft, today())
                    .await?
                    .ok_or_else(|| AppError::internal("a programme's second notice"))?;
            repo::set_notice(&mut tx, id, notice).await?;
            after = serde_json::json!({ "from": at.as_str(), "to": next.as_str(), "notice": notice,
                                        "ends_on": ends_on, "entries": entries.len() });
        }
        Stage::Awarded => {
            let prefix = certificate_prefix(&user.tenant_code, programme.year, id);
            let awarded = repo::confirm_awards(&mut tx, id, &prefix, today()).await?;
            after =
                serde_json::json!({ "from": at.as_str(), "to": next.as_str(), "awarded": awarded });
        }
        _ => {}
    }
    save::done(
        tx,
        &ctx,
        &user,
        change(tenant_id, "award.programme_step", id, after),
        "award.stage_done",
        &to_page,
    )
    .await
}

#[derive(Template)]
#[template(path = "awards/commendation.html")]
struct CommendationPage {
    ctx: Ctx,
    p: Programme,
    winners: Vec<Nomination>,
    district: String,
}

async fn winners(tx: &mut Tx, id: i64) -> Result<Vec<Nomination>> {
    let mut list: Vec<Nomination> = repo::nominations(tx, id, &Seen::District)
        .await?
        .into_iter()
        .filter(|n| n.status == "awarded")
        .collect();
    list.sort_by(|a, b| a.certificate_no.cmp(&b.certificate_no));
    Ok(list)
}

/// `GET /awards/{id}/commendation/print`: the year's list as the official commendation
/// notice (表彰通报), once the awards are confirmed.
pub async fn commendation(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let (p, _) = programme(&mut tx, &user, id).await?;
    if p.status != "awarded" {
        return Err(AppError::NotFound);
    }
    let winners = winners(&mut tx, id).await?;
    tx.commit().await?;
    Ok(render(&CommendationPage {
        ctx,
        p,
        winners,
        district: user.tenant_name.clone(),
    }))
}

/// `GET /public/{district}/awards/{id}`: the commendation list on the public side, once the
/// awards are confirmed; names, units and summaries only.
pub async fn public(
    ctx: Ctx,
    public: PublicTx,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response> {
    let PublicTx { mut tx, district } = public;
    let p = repo::programme(&mut tx, district.id, id)
        .await?
        .filter(|p| p.status == "awarded")
        .or_404()?;
    let winners = winners(&mut tx, id).await?;
    tx.commit().await?;
    Ok(render(&CommendationPage {
        ctx,
        p,
        winners,
        district: district.name,
    }))
}
