//! What is recorded on an activity's page: sessions added and their attendance (the first
//! held session moves a planned activity to held), participants by key population, the
//! teachers and volunteers serving it and their hours proposed for countersigning, and its
//! photos and documents.

use super::forms::{AttendanceForm, participation as counts};
use super::model::Status;
use super::record::refused;
use super::repo::{self, Activity, NewEvent, delivery, sessions};
use super::{activity, managed};
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs, date};
use crate::web::transition::Step;
use crate::web::{Ctx, files, flash_redirect, once, save, today};
use axum::extract::{Multipart, Path};
use axum::response::Response;
use chrono::NaiveTime;

/// The activity, in scope, that the user may record on while it is open (else 404), locked.
pub(super) async fn open(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Activity> {
    // Locked before it is read: a report filed while this waited is then the status seen.
    repo::lock(tx, id).await?;
    let a = managed(tx, user, id).await?;
    if !Status::parse(&a.status).is_some_and(Status::open) {
        return Err(AppError::NotFound);
    }
    Ok(a)
}

fn change(
    tenant_id: i64,
    action: &'static str,
    id: i64,
    after: serde_json::Value,
) -> Change<'static> {
    Change {
        tenant_id,
        action,
        entity: "activity",
        entity_id: Some(id),
        before: None,
        after: Some(after),
    }
}

/// Writes the activity's figures again after its sessions or counts changed, and its year's
/// delivery totals.
async fn refresh(tx: &mut Tx, tenant_id: i64, a: &Activity) -> Result<i32> {
    let held = sessions::refresh_counts(tx, a.id).await?;
    delivery::refresh(tx, tenant_id, a.year(), a.organiser()).await?;
    Ok(held)
}

/// After a session's attendance changed (recorded, ticked, or a resident checked in): the
/// activity's figures again, a planned activity held at its first held session, and its
/// year's delivery totals.
pub async fn attended(tx: &mut Tx, tenant_id: i64, a: &Activity, by: &str) -> Result<()> {
    let held = sessions::refresh_counts(tx, a.id).await?;
    if held > 0 && a.status == "planned" {
        let step = Step {
            table: "activity",
            id: a.id,
            from: Status::Held.from(),
            to: "held",
            version: None,
            also: "status_since = $5",
            note: "",
        };
        if step.apply(tx).await? {
            let event = NewEvent {
                activity_id: a.id,
                kind: "status",
                from_status: "planned",
                to_status: "held",
                note: "",
            };
            repo::record_event(tx, tenant_id, by, event).await?;
        }
    }
    delivery::refresh(tx, tenant_id, a.year(), a.organiser()).await?;
    Ok(())
}

/// `POST /activities/{id}/sessions`: one more session (a day and, if given, its times).
pub async fn add(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let a = open(&mut tx, &user, id).await?;
    let mut errors = FieldErrors::default();
    let day = date(&mut errors, "held_on", &p.get("held_on"), true);
    let time = |e: &mut FieldErrors, f: &'static str| match p.get(f).trim() {
        "" => None,
        v => NaiveTime::parse_from_str(v, "%H:%M")
            .map_err(|_| e.add(f, "activity.time_format"))
            .ok(),
    };
    let starts_at = time(&mut errors, "starts_at");
    let ends_at = time(&mut errors, "ends_at");
    match (starts_at, ends_at) {
        (Some(s), Some(e)) if e <= s => errors.add("ends_at", "activity.ends_before"),
        (Some(_), None) | (None, Some(_)) => errors.add("ends_at", "activity.times_both"),
        _ => {}
    }
    if let Some(d) = day
        && (d < a.starts_on || d > a.ends_on)
    {
        errors.add("held_on", "session.outside_dates");
    }
    let Some(day) = day.filter(|_| errors.is_empty()) else {
        return refused(tx, ctx, &user, a, "session-new", p, errors).await;
    };
    let tenant_id = user.tenant()?;
    let to = format!("/activities/{id}#sessions");
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    sessions::insert(&mut tx, tenant_id, id, &[day], (starts_at, ends_at)).await?;
    refresh(&mut tx, tenant_id, &a).await?;
    once::created(&mut tx, &ctx, tenant_id, &to).await?;
    let after = serde_json::json!({ "session": day, "starts_at": starts_at, "ends_at": ends_at });
    save::done(
        tx,
        &ctx,
        &user,
        change(tenant_id, "activity.session_add", id, after),
        "session.added",
        &to,
    )
    .await
}

/// `POST /activities/{id}/sessions/{s}`: a session's attendance (held, with a head count and
/// walk-ins) or its cancellation; the first session held moves a planned activity to held.
pub async fn record(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, s)): Path<(i64, i64)>,
    p: Pairs,
) -> Result<Response> {
    let a = open(&mut tx, &user, id).await?;
    let session = sessions::find(&mut tx, id, s).await?.or_404()?;
    let form = AttendanceForm::from_pairs(&p);
    let input = match form.parse(a.capacity) {
        Ok(input) => input,
        Err(errors) => return refused(tx, ctx, &user, a, &format!("session-{s}"), p, errors).await,
    };
    if input.status == "held" && session.held_on > today() {
        let mut errors = FieldErrors::default();
        errors.add("status", "session.not_yet");
        return refused(tx, ctx, &user, a, &format!("session-{s}"), p, errors).await;
    }
    let to = format!("/activities/{id}#session-{s}");
    let version = form.version.parse::<i32>().unwrap_or(0);
    if !sessions::record(&mut tx, id, s, version, &input).await? {
        return Ok(flash_redirect("form.conflict", &to));
    }
    let tenant_id = user.tenant()?;
    attended(&mut tx, tenant_id, &a, &user.username).await?;
    let after = serde_json::json!({
        "session": s, "held_on": session.held_on, "status": input.status,
        "attendance": input.attendance, "walk_ins": input.walk_ins, "note": input.note,
    });
    let c = Change {
        before: Some(serde_json::json!({
            "status": session.status, "attendance": session.attendance, "walk_ins": session.walk_ins,
        })),
        ..change(tenant_id, "activity.session_record", id, after)
    };
    save::done(tx, &ctx, &user, c, "session.saved", &to).await
}

/// `POST /activities/{id}/participation`: the participants by key population, all at once,
/// at the activity's version.
pub async fn participation(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let a = open(&mut tx, &user, id).await?;
    let numbers = match counts(&p) {
        Ok(numbers) => numbers,
        Err(errors) => return refused(tx, ctx, &user, a, "participation", p, errors).await,
    };
    let to = format!("/activities/{id}#participation");
    let version = p.get("version").parse::<i32>().unwrap_or(0);
    if !repo::bump(&mut tx, id, version).await? {
        return Ok(flash_redirect("form.conflict", &to));
    }
    let tenant_id = user.tenant()?;
    let before = sessions::participation(&mut tx, id).await?;
    sessions::set_participation(&mut tx, tenant_id, id, &numbers).await?;
    refresh(&mut tx, tenant_id, &a).await?;
    let c = Change {
        before: Some(serde_json::json!(before)),
        ..change(
            tenant_id,
            "activity.participation",
            id,
            serde_json::json!(numbers),
        )
    };
    save::done(tx, &ctx, &user, c, "activity.counts_saved", &to).await
}

/// `POST /activities/{id}/educators`: a teacher or volunteer of the registry serving it.
pub async fn add_server(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let a = open(&mut tx, &user, id).await?;
    let path = if a.organiser_unit_id.is_some() {
        a.organiser_path.as_str()
    } else {
        "/"
    };
    let wanted = p.get("educator_id").parse::<i64>().ok();
    let candidates = sessions::candidates(&mut tx, id, path).await?;
    let to = format!("/activities/{id}#educators");
    let Some(person) = wanted.and_then(|w| candidates.into_iter().find(|c| c.id == w)) else {
        return Ok(flash_redirect("activity.choose_person", &to));
    };
    let tenant_id = user.tenant()?;
    if !sessions::add_server(&mut tx, tenant_id, id, person.id).await? {
        return Ok(flash_redirect("form.once", &to));
    }
    let after = serde_json::json!({ "educator": person.id, "name": person.name });
    save::done(
        tx,
        &ctx,
        &user,
        change(tenant_id, "activity.educator_add", id, after),
        "activity.person_added",
        &to,
    )
    .await
}

/// `POST /activities/{id}/educators/{e}/remove`: no longer serving it (hours already proposed
/// stay in the registry for the countersigning unit to decide).
pub async fn remove_server(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, e)): Path<(i64, i64)>,
) -> Result<Response> {
    open(&mut tx, &user, id).await?;
    let to = format!("/activities/{id}#educators");
    if !sessions::remove_server(&mut tx, id, e).await? {
        return Ok(flash_redirect("step.not_now", &to));
    }
    let tenant_id = user.tenant()?;
    let after = serde_json::json!({ "educator": e });
    save::done(
        tx,
        &ctx,
        &user,
        change(tenant_id, "activity.educator_remove", id, after),
        "activity.person_removed",
        &to,
    )
    .await
}

/// `POST /activities/{id}/hours`: proposes to the registry the hours of everyone serving at
/// each held session with times, to be countersigned at the organising unit.
pub async fn propose_hours(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let a = managed(&mut tx, &user, id).await?;
    let to = format!("/activities/{id}#educators");
    let Some(unit) = a.organiser_unit_id.filter(|_| a.status != "cancelled") else {
        return Ok(flash_redirect("activity.hours_network_only", &to));
    };
    repo::lock(&mut tx, id).await?;
    let tenant_id = user.tenant()?;
    let content = a.title.chars().take(100).collect::<String>();
    let proposed =
        sessions::propose_hours(&mut tx, tenant_id, id, unit, &content, &user.username).await?;
    if proposed == 0 {
        return Ok(flash_redirect("activity.no_hours", &to));
    }
    let after = serde_json::json!({ "entries": proposed });
    save::done(
        tx,
        &ctx,
        &user,
        change(tenant_id, "activity.hours_propose", id, after),
        "activity.hours_proposed",
        &to,
    )
    .await
}

/// `POST /activities/{id}/files` (multipart): a photo or document, judged by its content.
pub async fn upload(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response> {
    let a = managed(&mut tx, &user, id).await?;
    if a.status == "cancelled" {
        return Err(AppError::NotFound);
    }
    let to = format!("/activities/{id}#files");
    let files::Upload { name, kind, bytes } =
        match files::judged(files::one_upload(multipart).await?, "file.empty") {
            Ok(upload) => upload,
            Err(key) => return Ok(flash_redirect(key, &to)),
        };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let file_id =
        sessions::insert_file(&mut tx, tenant_id, id, &name, kind, &bytes, &user.username).await?;
    once::created(&mut tx, &ctx, tenant_id, &to).await?;
    let after = serde_json::json!({ "file": file_id, "name": name, "size": bytes.len() });
    save::done(
        tx,
        &ctx,
        &user,
        change(tenant_id, "activity.file_add", id, after),
        "activity.file_saved",
        &to,
    )
    .await
}

/// `GET /activities/{id}/files/{f}`: anyone who may see the activity, always as a download.
pub async fn download(
    user: CurrentUser,
    mut tx: Tx,
    Path((id, f)): Path<(i64, i64)>,
) -> Result<Response> {
    activity(&mut tx, &user, id).await?;
    let (name, kind, content) = sessions::file(&mut tx, id, f).await?.or_404()?;
    tx.commit().await?;
    Ok(files::download(&name, kind, content))
}

/// `POST /activities/{id}/files/{f}/delete`: after a confirmation.
pub async fn delete_file(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, f)): Path<(i64, i64)>,
) -> Result<Response> {
    let a = managed(&mut tx, &user, id).await?;
    let to = format!("/activities/{id}#files");
    let c = Confirm {
        title: "activity.confirm_delete_file",
        what: "activity.confirm_delete_file_what",
        subject: a.title.clone(),
        back: to.clone(),
    };
    if let Some(page) = confirm::ask(&ctx, c) {
        return Ok(page);
    }
    let Some(name) = sessions::delete_file(&mut tx, id, f).await? else {
        return Ok(flash_redirect("step.not_now", &to));
    };
    let tenant_id = user.tenant()?;
    let after = serde_json::json!({ "file": f, "name": name });
    save::done(
        tx,
        &ctx,
        &user,
        change(tenant_id, "activity.file_delete", id, after),
        "activity.file_deleted",
        &to,
    )
    .await
}
