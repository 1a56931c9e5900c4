//! Nominations: prefilled from cedu's records where they exist, completed by the nominating
//! unit (the story, a summary for the notice, photos and documents), submitted against the
//! quota and the rules, returned with a reason and resubmitted; scored by each panel member
//! alone; recommended or not by the office; awarded, with a certificate.

use super::forms::{NominationForm, missing_items, parse_scores};
use super::model::{nomination as steps, weighted};
use super::repo::{self, Nomination, NominationInput, Nominator, Programme, Record};
use super::{Standing, nomination, own, programme};
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::web::confirm::{self, Confirm};
use crate::web::files;
use crate::web::forms::{FieldErrors, Pairs, text_block};
use crate::web::list::ListQuery;
use crate::web::save::{self, Conflict};
use crate::web::transition::Step;
use crate::web::{Ctx, flash_redirect, once, render, render_with, today};
use askama::Template;
use axum::extract::{Multipart, Path};
use axum::http::StatusCode;
use axum::response::Response;

fn change(
    tenant_id: i64,
    action: &'static str,
    id: i64,
    after: serde_json::Value,
) -> Change<'static> {
    Change {
        tenant_id,
        action,
        entity: "nomination",
        entity_id: Some(id),
        before: None,
        after: Some(after),
    }
}

/// The scope the nominating unit picks its nominees from: a town school its town and points,
/// the college the district, a member unit its own people and activities.
fn pick_scope(user: &CurrentUser, by: &Nominator) -> (String, Option<i64>) {
    match by.member_unit_id {
        Some(m) => ("/nowhere/".into(), Some(m)),
        None => (user.scope_path.clone(), None),
    }
}

struct Picks {
    educators: Vec<repo::Choice>,
    activities: Vec<repo::Choice>,
}

async fn picks(tx: &mut Tx, user: &CurrentUser, by: &Nominator, p: &Programme) -> Result<Picks> {
    let (path, member) = pick_scope(user, by);
    let educators = if matches!(p.nominee_kind.as_str(), "person") {
        repo::educator_choices(tx, &path, member).await?
    } else {
        Vec::new()
    };
    let activities = if p.nominee_kind == "project" {
        repo::activity_choices(tx, &path, member, p.year).await?
    } else {
        Vec::new()
    };
    Ok(Picks {
        educators,
        activities,
    })
}

impl Picks {
    fn ids(&self) -> (Vec<i64>, Vec<i64>) {
        (
            self.educators.iter().map(|c| c.id).collect(),
            self.activities.iter().map(|c| c.id).collect(),
        )
    }
}

/// What cedu's records say of the nominee picked; an empty record for one outside them.
async fn record_of(tx: &mut Tx, input: &NominationInput) -> Result<Record> {
    if let Some(e) = input.educator_id {
        return Ok(repo::person_record(tx, e)
            .await?
            .map(|r| r.2)
            .unwrap_or_default());
    }
    if let Some(a) = input.activity_id {
        return Ok(repo::project_record(tx, a)
            .await?
            .map(|r| r.2)
            .unwrap_or_default());
    }
    Ok(Record::default())
}

#[derive(Template)]
#[template(path = "awards/nomination_form.html")]
struct FormPage {
    ctx: Ctx,
    p: Programme,
    id: Option<i64>,
    form: NominationForm,
    errors: FieldErrors,
    picks: Picks,
    record: Record,
}

/// The programme open to the user's unit for new nominations, with that unit; 404 otherwise.
async fn open_for(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<(Programme, Nominator)> {
    let (p, s) = programme(tx, user, id).await?;
    let by = s.nominator.or_404()?;
    if p.status != "nominating" {
        return Err(AppError::NotFound);
    }
    Ok((p, by))
}

/// `GET /awards/{id}/nominate?educator=&activity=`: a nomination's form, prefilled from the
/// registry entry or the activity picked.
pub async fn new_form(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    query: ListQuery,
) -> Result<Response> {
    let (p, by) = open_for(&mut tx, &user, id).await?;
    let picks = picks(&mut tx, &user, &by, &p).await?;
    let (educators, activities) = picks.ids();
    let mut form = NominationForm::default();
    let mut record = Record::default();
    if let Some(e) = query.id("educator").filter(|e| educators.contains(e)) {
        if let Some((name, unit, r)) = repo::person_record(&mut tx, e).await? {
            form.nominee_name = name;
            form.nominee_unit = unit;
            form.educator_id = e.to_string();
            record = r;
        }
    } else if let Some(a) = query.id("activity").filter(|a| activities.contains(a))
        && let Some((title, unit, r)) = repo::project_record(&mut tx, a).await?
    {
        form.nominee_name = title;
        form.nominee_unit = unit;
        form.activity_id = a.to_string();
        record = r;
    }
    tx.commit().await?;
    Ok(render(&FormPage {
        ctx,
        p,
        id: None,
        form,
        errors: FieldErrors::default(),
        picks,
        record,
    }))
}

/// `POST /awards/{id}/nominations`: a draft nomination. A past winner of a programme of the
/// same kind is refused, and so is a second nomination of one nominee.
pub async fn create(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let (programme, by) = open_for(&mut tx, &user, id).await?;
    let picks = picks(&mut tx, &user, &by, &programme).await?;
    let (educators, activities) = picks.ids();
    let form = NominationForm::from_pairs(&p);
    let parsed = form.parse(&educators, &activities);
    let input = match parsed {
        Ok(input) => match eligible(&mut tx, &programme, 0, &input).await? {
            None => input,
            Some(errors) => {
                let record = record_of(&mut tx, &input).await?;
                let page = FormPage {
                    ctx,
                    p: programme,
                    id: None,
                    form,
                    errors,
                    picks,
                    record,
                };
                return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
            }
        },
        Err(errors) => {
            let page = FormPage {
                ctx,
                p: programme,
                id: None,
                form,
                errors,
                picks,
                record: Record::default(),
            };
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let record = record_of(&mut tx, &input).await?;
    let n = repo::insert_nomination(
        &mut tx,
        tenant_id,
        id,
        by,
        &input,
        &record,
        &user.display_name,
    )
    .await?;
    repo::record_event(
        &mut tx,
        tenant_id,
        n,
        "created",
        ("", "draft"),
        "",
        &user.display_name,
    )
    .await?;
    let location = format!("/nominations/{n}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    let after = repo::nomination(&mut tx, user.tenant()?, n).await?;
    let change = Change {
        tenant_id,
        action: "award.nomination_create",
        entity: "nomination",
        entity_id: Some(n),
        before: None,
        after: after.and_then(|n| serde_json::to_value(n).ok()),
    };
    save::done(tx, &ctx, &user, change, "award.nomination_saved", &location).await
}

/// The rules a nominee must pass: not a past winner of a programme of this kind, not
/// nominated twice in this one. `None` when they pass.
async fn eligible(
    tx: &mut Tx,
    p: &Programme,
    except: i64,
    input: &NominationInput,
) -> Result<Option<FieldErrors>> {
    let mut errors = FieldErrors::default();
    if repo::past_award(tx, &p.kind, p.year, input)
        .await?
        .is_some()
    {
        errors.add("nominee_name", "award.past_winner");
    } else if repo::nominated_already(tx, p.id, except, input)
        .await?
        .is_some()
    {
        errors.add("nominee_name", "award.nominated_already");
    }
    Ok((!errors.is_empty()).then_some(errors))
}

#[derive(Template)]
#[template(path = "awards/nomination.html")]
struct ShowPage {
    ctx: Ctx,
    n: Nomination,
    p: Programme,
    s: Standing,
    own: bool,
    scores: Vec<repo::Score>,
    /// Whether the user sits on the panel and has scored it.
    mine_in: bool,
    files: Vec<repo::FileRow>,
    events: Vec<repo::Event>,
    missing: Vec<&'static str>,
    past: Option<(i32, String)>,
    errors: FieldErrors,
}

impl ShowPage {
    fn editable(&self) -> bool {
        self.own && steps::EDITABLE.contains(&self.n.status.as_str()) && self.p.status != "awarded"
    }
    fn can_submit(&self) -> bool {
        self.editable()
            && (self.p.status == "nominating" && today() <= self.p.nominations_close
                || self.p.status == "review" && self.n.status == "returned")
    }
    fn can_withdraw(&self) -> bool {
        self.own
            && ["draft", "returned", "submitted"].contains(&self.n.status.as_str())
            && matches!(self.p.status.as_str(), "nominating" | "review")
    }
    fn can_return(&self) -> bool {
        self.s.manages
            && steps::RETURN_FROM.contains(&self.n.status.as_str())
            && matches!(self.p.status.as_str(), "nominating" | "review")
    }
    fn can_decide(&self) -> bool {
        self.s.manages
            && (self.p.status == "review" && steps::DECIDE_FROM.contains(&self.n.status.as_str())
                || self.p.status == "notice" && self.n.status == "recommended")
    }
    fn can_score(&self) -> bool {
        self.s.panel
            && !self.mine_in
            && self.p.status == "review"
            && steps::DECIDE_FROM.contains(&self.n.status.as_str())
    }
    /// The panel's scores are shown to a panel member once theirs is in; to the office always.
    fn shows_scores(&self) -> bool {
        if self.s.panel {
            self.mine_in
        } else {
            self.s.district
        }
    }
    fn posted_score(&self, i: &usize) -> String {
        self.ctx.posted(&format!("score_{i}")).to_string()
    }
    fn ranked_total(&self, s: &repo::Score) -> String {
        format!("{:.2}", s.total)
    }
}

async fn show_page(
    tx: &mut Tx,
    ctx: Ctx,
    user: &CurrentUser,
    id: i64,
    errors: FieldErrors,
) -> Result<ShowPage> {
    let (n, p, s) = nomination(tx, user, id).await?;
    let own = own(&s, &n);
    let scores = repo::scores(tx, id).await?;
    let mine_in = scores.iter().any(|x| x.account_id == user.id);
    let files = repo::files(tx, id).await?;
    let events = repo::events(tx, id).await?;
    let missing = missing_items(&n, &p.nominee_kind);
    let past = repo::past_award(tx, &p.kind, p.year, &input_of(&n)).await?;
    Ok(ShowPage {
        ctx,
        own,
        scores,
        mine_in,
        files,
        events,
        missing,
        past,
        errors,
        n,
        p,
        s,
    })
}

fn input_of(n: &Nomination) -> NominationInput {
    NominationInput {
        nominee_name: n.nominee_name.clone(),
        nominee_unit: n.nominee_unit.clone(),
        educator_id: n.educator_id,
        activity_id: n.activity_id,
        leading_cadre: n.leading_cadre,
        story: n.story.clone(),
        summary: n.summary.clone(),
    }
}

/// `GET /nominations/{id}`: the nomination, what cedu's records said, its files and history,
/// the panel's scores where the user may see them, and the next steps.
pub async fn show(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let page = show_page(&mut tx, ctx, &user, id, FieldErrors::default()).await?;
    tx.commit().await?;
    Ok(render(&page))
}

/// The nomination, the user's unit's own and still editable; 404 otherwise.
async fn editable(
    tx: &mut Tx,
    user: &CurrentUser,
    id: i64,
) -> Result<(Nomination, Programme, Nominator)> {
    let (n, p, s) = nomination(tx, user, id).await?;
    if !own(&s, &n) || !steps::EDITABLE.contains(&n.status.as_str()) || p.status == "awarded" {
        return Err(AppError::NotFound);
    }
    let by = s.nominator.or_404()?;
    Ok((n, p, by))
}

pub async fn edit_form(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let (n, p, by) = editable(&mut tx, &user, id).await?;
    let picks = picks(&mut tx, &user, &by, &p).await?;
    tx.commit().await?;
    Ok(render(&FormPage {
        ctx,
        form: NominationForm::from_nomination(&n),
        record: n.record.0.clone(),
        p,
        id: Some(id),
        errors: FieldErrors::default(),
        picks,
    }))
}

/// `POST /nominations/{id}`: an edit by the nominating unit, versioned; the record is read
/// again from cedu's records.
pub async fn update(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let (before, programme, by) = editable(&mut tx, &user, id).await?;
    let picks = picks(&mut tx, &user, &by, &programme).await?;
    let (educators, activities) = picks.ids();
    let form = NominationForm::from_pairs(&p);
    let input = match form.parse(&educators, &activities) {
        Ok(input) => input,
        Err(errors) => {
            let record = before.record.0.clone();
            let page = FormPage {
                ctx,
                p: programme,
                id: Some(id),
                form,
                errors,
                picks,
                record,
            };
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    if let Some(errors) = eligible(&mut tx, &programme, id, &input).await? {
        let record = before.record.0.clone();
        let page = FormPage {
            ctx,
            p: programme,
            id: Some(id),
            form,
            errors,
            picks,
            record,
        };
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let record = record_of(&mut tx, &input).await?;
    let to = format!("/nominations/{id}");
    let version = form.version.parse::<i32>().unwrap_or(0);
    if !repo::update_nomination(&mut tx, id, version, &input, &record).await? {
        return Ok(save::conflict(
            &ctx,
            Conflict {
                fields: form.compare(&before),
                edit: format!("/nominations/{id}/edit"),
                view: to,
            },
        ));
    }
    let after = repo::nomination(&mut tx, user.tenant()?, id).await?;
    let change = Change {
        tenant_id: user.tenant()?,
        action: "award.nomination_update",
        entity: "nomination",
        entity_id: Some(id),
        before: serde_json::to_value(&before).ok(),
        after: after.and_then(|n| serde_json::to_value(n).ok()),
    };
    save::done(tx, &ctx, &user, change, "award.nomination_saved", &to).await
}

/// `POST /nominations/{id}/step` (`action`: submit, withdraw, return, recommend,
/// not_recommend; `reason`): a guarded step, with a confirmation where it cannot be undone.
pub async fn step(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let page = show_page(&mut tx, ctx.clone(), &user, id, FieldErrors::default()).await?;
    let action = p.get("action");
    let to = format!("/nominations/{id}");
    let (allowed, from, to_status): (bool, &[&str], &str) = match action.as_str() {
        "submit" => (page.can_submit(), steps::SUBMIT_FROM, "submitted"),
        "withdraw" => (
            page.can_withdraw(),
            &["draft", "returned", "submitted"],
            "withdrawn",
        ),
        "return" => (page.can_return(), steps::RETURN_FROM, "returned"),
        "recommend" => (
            page.can_decide() && page.p.status == "review",
            steps::DECIDE_FROM,
            "recommended",
        ),
        "not_recommend" => (page.can_decide(), steps::DECIDE_FROM, "not_recommended"),
        _ => (false, &[], ""),
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    let mut errors = FieldErrors::default();
    let reason = text_block(&mut errors, "reason", &p.get("reason"), false, 1000);
    if reason.is_empty() && matches!(action.as_str(), "return" | "not_recommend") {
        errors.add("reason", "award.reason_required");
    }
    if action == "submit" {
        for key in &page.missing {
            errors.add("missing", key);
        }
    }
    if action == "recommend" && page.n.scored == 0 {
        errors.add("reason", "award.unscored");
    }
    if !errors.is_empty() {
        let page = ShowPage { errors, ..page };
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    if matches!(action.as_str(), "withdraw" | "not_recommend") {
        let c = Confirm {
            title: if action == "withdraw" {
                "award.confirm_withdraw"
            } else {
                "award.confirm_not_recommend"
            },
            what: if action == "withdraw" {
                "award.confirm_withdraw_what"
            } else {
                "award.confirm_not_recommend_what"
            },
            subject: page.n.nominee_name.clone(),
            back: to.clone(),
        };
        if let Some(page) = confirm::ask(&ctx, c) {
            return Ok(page);
        }
    }
    let tenant_id = user.tenant()?;
    if action == "submit" {
        // One submission of a unit at a time, so two never pass the quota together.
        repo::lock_programme(&mut tx, page.p.id).await?;
        let by = page.s.nominator.or_404()?;
        if repo::counted(&mut tx, page.p.id, by, id).await? >= i64::from(page.p.quota) {
            let mut errors = FieldErrors::default();
            errors.add("missing", "award.quota_full");
            let page = ShowPage { errors, ..page };
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
        if let Some(errors) = eligible(&mut tx, &page.p, id, &input_of(&page.n)).await? {
            let page = ShowPage { errors, ..page };
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    }
    let also = match action.as_str() {
        "return" => "status_since = $5, return_reason = $6",
        "recommend" | "not_recommend" => "status_since = $5, decision_reason = $6",
        _ => "status_since = $5",
    };
    let step = Step {
        table: "nomination",
        id,
        from,
        to: to_status,
        version: p.get("version").parse().ok(),
        also,
        note: &reason,
    };
    if !step.apply(&mut tx).await? {
        return Ok(flash_redirect("step.not_now", &to));
    }
    repo::record_event(
        &mut tx,
        tenant_id,
        id,
        &action,
        (&page.n.status, to_status),
        &reason,
        &user.display_name,
    )
    .await?;
    let after = serde_json::json!({ "from": page.n.status, "to": to_status, "reason": reason });
    save::done(
        tx,
        &ctx,
        &user,
        change(tenant_id, "award.nomination_step", id, after),
        "award.step_done",
        &to,
    )
    .await
}

/// `POST /nominations/{id}/score` (`score_0`…, `note`): a panel member's own scores, once,
/// while the programme is under review.
pub async fn score(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let page = show_page(&mut tx, ctx.clone(), &user, id, FieldErrors::default()).await?;
    if !page.can_score() {
        return Err(AppError::NotFound);
    }
    let mut errors = FieldErrors::default();
    let note = text_block(&mut errors, "note", &p.get("note"), false, 1000);
    let scores = match parse_scores(&p, &page.p.criteria) {
        Ok(s) if errors.is_empty() => s,
        Ok(_) => Vec::new(),
        Err(e) => {
            errors = e;
            Vec::new()
        }
    };
    if !errors.is_empty() {
        let page = ShowPage { errors, ..page };
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let total = weighted(&page.p.criteria, &scores);
    let tenant_id = user.tenant()?;
    let to = format!("/nominations/{id}#scores");
    if !repo::insert_score(&mut tx, tenant_id, id, user.id, &scores, total, &note).await? {
        return Ok(flash_redirect("award.scored_already", &to));
    }
    let after = serde_json::json!({ "scores": scores, "total": total });
    save::done(
        tx,
        &ctx,
        &user,
        change(tenant_id, "award.score", id, after),
        "award.score_saved",
        &to,
    )
    .await
}

/// `POST /nominations/{id}/files`: a photo or document, by the nominating unit while it may
/// edit the nomination.
pub async fn upload(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response> {
    editable(&mut tx, &user, id).await?;
    let to = format!("/nominations/{id}#files");
    let files::Upload { name, kind, bytes } =
        match files::judged(files::one_upload(multipart).await?, "file.empty") {
            Ok(upload) => upload,
            Err(key) => return Ok(flash_redirect(key, &to)),
        };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let file = repo::insert_file(
        &mut tx,
        tenant_id,
        id,
        (&name, kind),
        &bytes,
        &user.username,
    )
    .await?;
    once::created(&mut tx, &ctx, tenant_id, &to).await?;
    let after = serde_json::json!({ "file": file, "name": name, "size": bytes.len() });
    save::done(
        tx,
        &ctx,
        &user,
        change(tenant_id, "award.file_add", id, after),
        "award.file_saved",
        &to,
    )
    .await
}

/// `GET /nominations/{id}/files/{f}`: anyone who may see the nomination, as a download.
pub async fn download(
    user: CurrentUser,
    mut tx: Tx,
    Path((id, f)): Path<(i64, i64)>,
) -> Result<Response> {
    nomination(&mut tx, &user, id).await?;
    let (name, kind, content) = repo::file(&mut tx, id, f).await?.or_404()?;
    tx.commit().await?;
    Ok(files::download(&name, kind, content))
}

/// `POST /nominations/{id}/files/{f}/delete`: after a confirmation.
pub async fn delete_file(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, f)): Path<(i64, i64)>,
) -> Result<Response> {
    let (n, _, _) = editable(&mut tx, &user, id).await?;
    let to = format!("/nominations/{id}#files");
    let c = Confirm {
        title: "award.confirm_delete_file",
        what: "award.confirm_delete_file_what",
        subject: n.nominee_name.clone(),
        back: to.clone(),
    };
    if let Some(page) = confirm::ask(&ctx, c) {
        return Ok(page);
    }
    if !repo::delete_file(&mut tx, id, f).await? {
        return Err(AppError::NotFound);
    }
    let tenant_id = user.tenant()?;
    save::done(
        tx,
        &ctx,
        &user,
        change(
            tenant_id,
            "award.file_delete",
            id,
            serde_json::json!({ "file": f }),
        ),
        "award.file_deleted",
        &to,
    )
    .await
}

#[derive(Template)]
#[template(path = "awards/certificate.html")]
struct CertificatePage {
    ctx: Ctx,
    n: Nomination,
    p: Programme,
    number: String,
    on: String,
}

/// `GET /nominations/{id}/certificate/print`: the winner's certificate, A4, with the
/// programme, the year, the issuing body and its number.
pub async fn certificate(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let (n, p, _) = nomination(&mut tx, &user, id).await?;
    tx.commit().await?;
    let number = n
        .certificate_no
        .clone()
        .filter(|_| n.status == "awarded")
        .or_404()?;
    let on = p.award_on.unwrap_or(n.status_since);
    let on = format!(
        "{}年{}月{}日",
        chrono::Datelike::year(&on),
        chrono::Datelike::month(&on),
        chrono::Datelike::day(&on)
    );
    Ok(render(&CertificatePage {
        ctx,
        n,
        p,
        number,
        on,
    }))
}
