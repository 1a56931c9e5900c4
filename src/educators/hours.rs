//! Service hours: recorded at a unit of the network (actual service, quarter hours, at most 12
//! hours a day for one person), pending until countersigned by the unit where the service was
//! given — by someone other than who recorded it — approved or declined with a reason, one or
//! many at once; exported in the national volunteer system's fields; and certified by the unit
//! that recorded them (谁记录谁证明) on a printable record of service.

use super::forms::HoursForm;
use super::model::{HoursInput, MAX_MINUTES_A_DAY};
use super::repo::{self, Educator, hours};
use super::{person, require};
use crate::access::Action;
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::web::forms::{FieldErrors, Pairs, date};
use crate::web::list::{self, ListQuery, Paged};
use crate::web::{Ctx, flash_redirect, once, render, render_with, save, today};
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "educators/hours_form.html")]
struct HoursFormPage {
    ctx: Ctx,
    e: Educator,
    form: HoursForm,
    errors: FieldErrors,
    units: Vec<repo::UnitChoice>,
}

/// The units where this user may record a person's hours: those in scope that the person serves.
async fn recordable(
    tx: &mut Tx,
    user: &CurrentUser,
    e: &Educator,
) -> Result<Vec<repo::UnitChoice>> {
    Ok(repo::units_in_scope(tx, &user.scope_path)
        .await?
        .into_iter()
        .filter(|u| e.serves.contains(&u.id))
        .collect())
}

async fn recording(
    tx: &mut Tx,
    user: &CurrentUser,
    id: i64,
) -> Result<(Educator, Vec<repo::UnitChoice>)> {
    require(user, Action::RecordHours)?;
    let e = person(tx, user, id).await?;
    let units = recordable(tx, user, &e).await?;
    if e.status != "active" || units.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok((e, units))
}

pub async fn new_form(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let (e, units) = recording(&mut tx, &user, id).await?;
    tx.commit().await?;
    let mut form = HoursForm {
        served_on: today().to_string(),
        ..Default::default()
    };
    if let [unit] = units.as_slice() {
        form.unit_id = unit.id.to_string();
    }
    Ok(render(&HoursFormPage {
        ctx,
        e,
        form,
        errors: FieldErrors::default(),
        units,
    }))
}

/// `POST /educators/{id}/hours`: one entry, pending; a day past 12 hours is refused.
pub async fn create(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let (e, units) = recording(&mut tx, &user, id).await?;
    let form = HoursForm::from_pairs(&p);
    let again = |ctx, e, form, errors, units| HoursFormPage {
        ctx,
        e,
        form,
        errors,
        units,
    };
    let input: HoursInput = match form.parse(&units, today()) {
        Ok(input) => input,
        Err(errors) => {
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &again(ctx, e, form, errors, units),
            ));
        }
    };
    // The person's row held while the day is added up, so two entries cannot pass 12 hours together.
    repo::lock(&mut tx, id).await?;
    let already = hours::minutes_on(&mut tx, id, input.served_on).await?;
    if already + i64::from(input.minutes) > i64::from(MAX_MINUTES_A_DAY) {
        let mut errors = FieldErrors::default();
        errors.add("hours", "hours.day_over");
        return Ok(render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &again(ctx, e, form, errors, units),
        ));
    }
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let entry = hours::insert(&mut tx, tenant_id, id, &input, &user.username).await?;
    let location = format!("/educators/{id}#hours");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    let change = Change {
        tenant_id,
        action: "hours.create",
        entity: "service_hours",
        entity_id: Some(entry),
        before: None,
        after: Some(serde_json::json!({
            "educator": id, "unit": input.unit_id, "served_on": input.served_on,
            "minutes": input.minutes, "content": input.content,
        })),
    };
    save::done(tx, &ctx, &user, change, "hours.recorded", &location).await
}

#[derive(Template)]
#[template(path = "educators/hours.html")]
struct HoursPage {
    ctx: Ctx,
    list: Paged<hours::Entry>,
    query: ListQuery,
    towns: Vec<hours::TownTotal>,
    year: i32,
    me: String,
}

/// `GET /hours`: entries at units in scope, the pending ones first, to countersign; the year's
/// totals per town beside them.
pub async fn list(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    require(&user, Action::RecordHours)?;
    let page = query.page();
    let rows = hours::page(&mut tx, &user.scope_path, &query, page).await?;
    let year = chrono::Datelike::year(&today());
    let towns = hours::town_totals(&mut tx, &user.scope_path, year).await?;
    tx.commit().await?;
    let total = rows.first().map_or(0, |e| e.total);
    Ok(render(&HoursPage {
        ctx,
        list: Paged::new(rows, total, page),
        query,
        towns,
        year,
        me: user.username.clone(),
    }))
}

/// `GET /hours/export.xlsx?<filters>`: the entries in the national volunteer system's fields
/// (name, volunteer number, service date, hours, content, recording unit), for upload there.
pub async fn export(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    require(&user, Action::RecordHours)?;
    let headers: Vec<&str> = [
        "hours.export.name",
        "educator.volunteer_no",
        "hours.served_on",
        "hours.hours",
        "hours.content",
        "hours.unit",
        "hours.status",
    ]
    .iter()
    .map(|k| ctx.t(k))
    .collect();
    let title = format!(
        "{} · {}（{}）",
        user.tenant_name,
        ctx.t("hours.title"),
        today()
    );
    let sql = hours::all_sql();
    let file = format!("service-hours-{}.xlsx", today().format("%Y%m%d"));
    let rows = hours::all(&mut tx, &user.scope_path, &query, &sql);
    list::export(&file, ctx.t("hours.title"), &title, &headers, rows, |x| {
        vec![
            x.educator_name.as_str().into(),
            x.volunteer_no.as_str().into(),
            x.served_on.to_string().into(),
            x.hours_text().into(),
            x.content.as_str().into(),
            x.unit_name.as_str().into(),
            ctx.tr(&x.status_label()).into(),
        ]
    })
    .await
}

/// `POST /hours/decide`: approve the ticked entries, or decline them with a reason. Only
/// pending entries at units in scope, recorded by someone else, are decided.
pub async fn decide(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require(&user, Action::RecordHours)?;
    let back = p.get("back");
    let to = crate::web::local_path(Some(&back)).to_string();
    let ids: Vec<i64> = p
        .all("entry")
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    let approve = match p.get("decision").as_str() {
        "approve" => true,
        "decline" => false,
        _ => return Ok(flash_redirect("hours.choose_decision", &to)),
    };
    let reason = p.get("reason").trim().chars().take(200).collect::<String>();
    if ids.is_empty() {
        return Ok(flash_redirect("hours.none_chosen", &to));
    }
    if !approve && (reason.is_empty() || crate::web::forms::has_control(&reason, false)) {
        return Ok(flash_redirect("hours.reason_needed", &to));
    }
    let found = hours::in_scope(&mut tx, &user.scope_path, &ids).await?;
    if found.len() != ids.len() {
        // An entry outside the scope is not found, like any other.
        return Err(AppError::NotFound);
    }
    let decidable: Vec<i64> = found
        .iter()
        .filter(|x| x.status == "pending" && x.recorded_by != user.username)
        .map(|x| x.id)
        .collect();
    if decidable.is_empty() {
        let own = found.iter().any(|x| x.recorded_by == user.username);
        return Ok(flash_redirect(
            if own { "hours.not_own" } else { "step.not_now" },
            &to,
        ));
    }
    let decided = hours::decide(&mut tx, &decidable, approve, &reason, &user.username).await?;
    let change = Change {
        tenant_id: user.tenant()?,
        action: if approve {
            "hours.approve"
        } else {
            "hours.decline"
        },
        entity: "service_hours",
        entity_id: decided.first().copied(),
        before: Some(serde_json::json!({ "status": "pending" })),
        after: Some(serde_json::json!({ "entries": decided, "reason": reason })),
    };
    save::done(
        tx,
        &ctx,
        &user,
        change,
        if approve {
            "hours.approved"
        } else {
            "hours.declined"
        },
        &to,
    )
    .await
}

/// `POST /educators/{id}/records`: the unit that recorded the hours issues a numbered record
/// of service for a period.
pub async fn issue_record(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    require(&user, Action::RecordHours)?;
    let e = person(&mut tx, &user, id).await?;
    let to = format!("/educators/{id}#records");
    let mut errors = FieldErrors::default();
    let from = date(&mut errors, "from", &p.get("from"), true);
    let until = date(&mut errors, "to", &p.get("to"), true);
    let unit = match p.get("unit_id").parse::<i64>() {
        Ok(unit) => hours::unit(&mut tx, &user.scope_path, unit)
            .await?
            .map(|u| (unit, u)),
        Err(_) => None,
    };
    let (Some(from), Some(until), Some((unit_id, (_, code, _))), true) =
        (from, until, unit, errors.is_empty())
    else {
        return Ok(flash_redirect("record.invalid", &to));
    };
    if until < from {
        return Ok(flash_redirect("record.invalid", &to));
    }
    let entries = hours::certified(&mut tx, id, unit_id, from, until).await?;
    if entries.is_empty() {
        return Ok(flash_redirect("record.nothing", &to));
    }
    let minutes: i32 = entries.iter().map(|x| x.minutes).sum();
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let record = hours::issue(
        &mut tx,
        tenant_id,
        hours::NewRecord {
            educator_id: e.id,
            unit_id,
            unit_code: &code,
            from,
            to: until,
            minutes,
            entries: entries.len() as i32,
            issued_on: today(),
            issued_by: &user.display_name,
        },
    )
    .await?;
    let location = format!("/educators/{id}/records/{record}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    let change = Change {
        tenant_id,
        action: "record.issue",
        entity: "service_record",
        entity_id: Some(record),
        before: None,
        after: Some(
            serde_json::json!({ "educator": id, "unit": unit_id, "from": from, "to": until, "minutes": minutes }),
        ),
    };
    save::done(tx, &ctx, &user, change, "record.issued", &location).await
}

#[derive(Template)]
#[template(path = "educators/record.html")]
struct RecordPage {
    ctx: Ctx,
    e: Educator,
    r: hours::Record,
    entries: Vec<hours::Entry>,
    district: String,
}

/// `GET /educators/{id}/records/{record}`: the record of service, for the printer and the seal.
pub async fn show_record(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, record)): Path<(i64, i64)>,
) -> Result<Response> {
    let e = person(&mut tx, &user, id).await?;
    let r = hours::record(&mut tx, id, record).await?.or_404()?;
    let entries = hours::certified(&mut tx, id, r.unit_id, r.period_from, r.period_to).await?;
    tx.commit().await?;
    Ok(render(&RecordPage {
        ctx,
        e,
        r,
        entries,
        district: user.tenant_name.clone(),
    }))
}
