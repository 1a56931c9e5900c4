//! The registry's people: the list (filters, count, pages, export, print, phones masked), a
//! person's page, registering and editing by staff, status steps, revealing a phone or ID
//! number (audited), and anonymising someone who has left.

use super::forms::{Choices, EducatorForm};
use super::model::{AVAILABILITY, EducatorInput, GENDERS, KINDS, Status};
use super::repo::{self, Educator, Registration, Stored, hours, quals};
use super::{choices, may_manage, may_reveal, person, require};
use crate::access::Action;
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::crypto::{self, DataKey};
use crate::db::Tx;
use crate::error::Result;
use crate::reports::xlsx::Cell;
use crate::state::AppState;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::list::{self, ListQuery, PRINT_LIMIT, Paged, Printed};
use crate::web::save::{self, Conflict};
use crate::web::{Ctx, flash_redirect, once, render, render_with, today};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use futures_util::TryStreamExt;

#[derive(Template)]
#[template(path = "educators/index.html")]
struct ListPage {
    ctx: Ctx,
    list: Paged<Educator>,
    query: ListQuery,
    specialties: Vec<repo::Choice>,
    towns: Vec<repo::UnitChoice>,
    kinds: &'static [&'static str],
    statuses: [Status; 6],
    can_register: bool,
    can_import: bool,
}

pub async fn list(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    require(&user, Action::ViewEducators)?;
    let page = query.page();
    let rows = repo::page(&mut tx, &user.scope_path, today(), &query, page).await?;
    let specialties = repo::specialties(&mut tx, true).await?;
    let towns = repo::units_in_scope(&mut tx, &user.scope_path)
        .await?
        .into_iter()
        .filter(|u| u.kind == "town_school")
        .collect();
    tx.commit().await?;
    let total = rows.first().map_or(0, |e| e.total);
    Ok(render(&ListPage {
        ctx,
        list: Paged::new(rows, total, page),
        query,
        specialties,
        towns,
        kinds: &KINDS,
        statuses: Status::ALL,
        can_register: crate::access::may(user.role, Action::ManageEducators),
        can_import: user.role == crate::access::Role::DistrictAdmin
            || user.role == crate::access::Role::TownAdmin,
    }))
}

const COLUMNS: [&str; 11] = [
    "educator.volunteer_no",
    "educator.name",
    "educator.gender",
    "educator.kind",
    "educator.specialties",
    "educator.work_unit",
    "educator.serves",
    "educator.phone",
    "educator.id_number",
    "educator.status",
    "educator.hours_this_year",
];

/// A person as a row of the export: phone and ID number masked, like every list.
fn row(ctx: &Ctx, e: Educator) -> Vec<Cell> {
    vec![
        e.volunteer_no.as_str().into(),
        e.name.as_str().into(),
        if e.gender.is_empty() {
            String::new()
        } else {
            ctx.tr(&format!("educator.gender.{}", e.gender))
        }
        .into(),
        ctx.tr(&e.kind_label()).into(),
        e.specialties_text().into(),
        e.work_unit.as_str().into(),
        e.serves_text().into(),
        e.phone_masked().into(),
        e.id_masked.as_str().into(),
        ctx.tr(&e.status_label()).into(),
        e.hours_text().into(),
    ]
}

/// `GET /educators/export.xlsx?<filters>`: every person the list shows, masked.
pub async fn export(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    require(&user, Action::ViewEducators)?;
    let headers: Vec<&str> = COLUMNS.iter().map(|k| ctx.t(k)).collect();
    let title = format!(
        "{} · {}（{}）",
        user.tenant_name,
        ctx.t("educator.title"),
        today()
    );
    let sql = repo::all_sql(&query, None);
    let file = format!("educators-{}.xlsx", today().format("%Y%m%d"));
    let rows = repo::all(&mut tx, &user.scope_path, today(), &query, &sql);
    list::export(
        &file,
        ctx.t("educator.title"),
        &title,
        &headers,
        rows,
        |e| row(&ctx, e),
    )
    .await
}

#[derive(Template)]
#[template(path = "educators/print.html")]
struct PrintPage {
    ctx: Ctx,
    people: Vec<Educator>,
    printed: Printed,
    query: ListQuery,
    district: String,
    date: String,
}

pub async fn print(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    require(&user, Action::ViewEducators)?;
    let total = repo::total(&mut tx, &user.scope_path, today(), &query).await?;
    let sql = repo::all_sql(&query, Some(PRINT_LIMIT));
    let people: Vec<Educator> = repo::all(&mut tx, &user.scope_path, today(), &query, &sql)
        .try_collect()
        .await?;
    tx.commit().await?;
    Ok(render(&PrintPage {
        ctx,
        printed: Printed {
            shown: people.len(),
            total,
        },
        people,
        query,
        district: user.tenant_name.clone(),
        date: today().to_string(),
    }))
}

#[derive(Template)]
#[template(path = "educators/form.html")]
pub(super) struct FormPage {
    pub ctx: Ctx,
    pub id: Option<i64>,
    pub form: EducatorForm,
    pub errors: FieldErrors,
    pub choices: Choices,
    pub kinds: &'static [&'static str],
    pub genders: &'static [&'static str],
    pub availability: &'static [&'static str],
    /// The existing record a duplicate phone or ID number points to.
    pub duplicate: Option<i64>,
    /// The person has an ID number stored (left empty on the form, it is kept).
    pub has_id: bool,
}

impl FormPage {
    fn new(
        ctx: Ctx,
        id: Option<i64>,
        form: EducatorForm,
        errors: FieldErrors,
        choices: Choices,
    ) -> Self {
        Self {
            ctx,
            id,
            form,
            errors,
            choices,
            kinds: &KINDS,
            genders: &GENDERS,
            availability: &AVAILABILITY,
            duplicate: None,
            has_id: false,
        }
    }
}

pub async fn new_form(ctx: Ctx, user: CurrentUser, mut tx: Tx) -> Result<Response> {
    require(&user, Action::ManageEducators)?;
    let choices = choices(&mut tx, &user).await?;
    tx.commit().await?;
    let mut form = EducatorForm {
        kind: "volunteer".into(),
        ..Default::default()
    };
    if let [home] = choices.homes.as_slice() {
        form.home_unit_id = home.id.to_string();
    }
    Ok(render(&FormPage::new(
        ctx,
        None,
        form,
        FieldErrors::default(),
        choices,
    )))
}

/// The ID number sealed for storage: ciphertext, keyed hash and masked form.
pub(super) fn seal<'a>(key: &DataKey, input: &'a EducatorInput) -> Stored<'a> {
    match &input.id_number {
        Some(id) => Stored {
            input,
            id_cipher: Some(key.encrypt(id)),
            id_hash: Some(key.lookup(id)),
            id_masked: crypto::mask_id(id),
        },
        None => Stored {
            input,
            id_cipher: None,
            id_hash: None,
            id_masked: String::new(),
        },
    }
}

/// The duplicate check every registration makes: the same phone or ID number in the district.
pub(super) async fn duplicate_of(
    tx: &mut Tx,
    stored: &Stored<'_>,
    except: Option<i64>,
) -> Result<Option<(i64, &'static str)>> {
    let found = repo::duplicate(tx, &stored.input.phone, stored.id_hash.as_deref(), except).await?;
    Ok(found.map(|(id, field)| {
        (
            id,
            if field == "phone" {
                "phone"
            } else {
                "id_number"
            },
        )
    }))
}

/// `POST /educators`: staff register a person in their scope; active at once.
pub async fn create(
    ctx: Ctx,
    user: CurrentUser,
    State(app): State<AppState>,
    mut tx: Tx,
    p: Pairs,
) -> Result<Response> {
    require(&user, Action::ManageEducators)?;
    let choices = choices(&mut tx, &user).await?;
    let form = EducatorForm::from_pairs(&p);
    let input = match form.parse(&choices) {
        Ok(input) => input,
        Err(errors) => {
            let page = FormPage::new(ctx, None, form, errors, choices);
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let stored = seal(&app.key, &input);
    if let Some((existing, field)) = duplicate_of(&mut tx, &stored, None).await? {
        let mut errors = FieldErrors::default();
        errors.add(field, "educator.duplicate");
        let mut page = FormPage::new(ctx, None, form, errors, choices);
        page.duplicate = Some(existing);
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let number = repo::next_volunteer_no(&mut tx, tenant_id).await?;
    let registration = Registration {
        tenant_id,
        status: "active",
        registered_by: "staff",
        consent: false,
        applied_from: "",
    };
    let id = repo::insert(&mut tx, registration, &number, &stored).await?;
    repo::record_event(
        &mut tx,
        tenant_id,
        &user.username,
        repo::NewEvent {
            educator_id: id,
            kind: "registered",
            from_status: "",
            to_status: "active",
            note: "",
        },
    )
    .await?;
    let location = format!("/educators/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    let after = repo::find(&mut tx, "/", today(), id).await?;
    let change = Change {
        tenant_id,
        action: "educator.create",
        entity: "educator",
        entity_id: Some(id),
        before: None,
        after: after.and_then(|e| serde_json::to_value(e).ok()),
    };
    save::done(tx, &ctx, &user, change, "educator.created", &location).await
}

#[derive(Template)]
#[template(path = "educators/show.html")]
struct ShowPage {
    ctx: Ctx,
    e: Educator,
    qualifications: Vec<quals::Qualification>,
    totals: Vec<hours::Total>,
    entries: Vec<hours::Entry>,
    records: Vec<hours::Record>,
    events: Vec<repo::Event>,
    /// The awards the person has received: nomination, year, programme, certificate.
    awards: Vec<(i64, i32, String, String)>,
    today: chrono::NaiveDate,
    can_manage: bool,
    can_reveal: bool,
    can_anonymise: bool,
    can_record: bool,
    /// The full phone or ID number, when the user just asked to see it.
    revealed_phone: Option<String>,
    revealed_id: Option<String>,
    next_steps: Vec<Status>,
    /// Where the user may issue a record of service: units in scope the person serves.
    record_units: Vec<repo::UnitChoice>,
}

async fn show_page(
    mut tx: Tx,
    ctx: Ctx,
    user: &CurrentUser,
    e: Educator,
    revealed: (Option<String>, Option<String>),
) -> Result<ShowPage> {
    let qualifications = quals::of(&mut tx, e.id).await?;
    let totals = hours::totals_of(&mut tx, e.id).await?;
    let entries = hours::of(&mut tx, e.id).await?;
    let records = hours::records_of(&mut tx, e.id).await?;
    let events = repo::events(&mut tx, e.id).await?;
    let awards = crate::awards::repo::awards_of(&mut tx, e.id).await?;
    let can_record = crate::access::may(user.role, Action::RecordHours) && e.status == "active";
    let record_units = if can_record {
        repo::units_in_scope(&mut tx, &user.scope_path)
            .await?
            .into_iter()
            .filter(|u| e.serves.contains(&u.id))
            .collect()
    } else {
        Vec::new()
    };
    tx.commit().await?;
    let status = Status::parse(&e.status);
    let can_manage = may_manage(user, &e) && !e.is_anonymised();
    let next_steps = match status {
        Some(s) if can_manage => Status::ALL
            .into_iter()
            .filter(|to| s.can_become(*to))
            .collect(),
        _ => Vec::new(),
    };
    Ok(ShowPage {
        can_reveal: may_reveal(user, &e) && !e.is_anonymised(),
        can_anonymise: crate::access::may(user.role, Action::AnonymiseEducators)
            && e.status == "left"
            && !e.is_anonymised(),
        can_record: can_record && !record_units.is_empty(),
        record_units,
        can_manage,
        ctx,
        e,
        qualifications,
        totals,
        entries,
        records,
        events,
        awards,
        today: today(),
        revealed_phone: revealed.0,
        revealed_id: revealed.1,
        next_steps,
    })
}

pub async fn show(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let e = person(&mut tx, &user, id).await?;
    Ok(render(&show_page(tx, ctx, &user, e, (None, None)).await?))
}

pub async fn edit_form(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let e = person(&mut tx, &user, id).await?;
    if !may_manage(&user, &e) || e.is_anonymised() {
        return Err(crate::error::AppError::NotFound);
    }
    let choices = choices(&mut tx, &user).await?;
    tx.commit().await?;
    let mut page = FormPage::new(
        ctx,
        Some(id),
        EducatorForm::from_educator(&e),
        FieldErrors::default(),
        choices,
    );
    page.has_id = e.has_id;
    Ok(render(&page))
}

/// `POST /educators/{id}`: an edit; an ID number left empty keeps the stored one, and a stale
/// version gets the conflict page.
pub async fn update(
    ctx: Ctx,
    user: CurrentUser,
    State(app): State<AppState>,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let before = person(&mut tx, &user, id).await?;
    if !may_manage(&user, &before) || before.is_anonymised() {
        return Err(crate::error::AppError::NotFound);
    }
    let choices = choices(&mut tx, &user).await?;
    let form = EducatorForm::from_pairs(&p);
    let again = |ctx, form, errors, choices| {
        let mut page = FormPage::new(ctx, Some(id), form, errors, choices);
        page.has_id = before.has_id;
        page
    };
    let input = match form.parse(&choices) {
        Ok(input) => input,
        Err(errors) => {
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &again(ctx, form, errors, choices),
            ));
        }
    };
    let stored = seal(&app.key, &input);
    if let Some((existing, field)) = duplicate_of(&mut tx, &stored, Some(id)).await? {
        let mut errors = FieldErrors::default();
        errors.add(field, "educator.duplicate");
        let mut page = again(ctx, form, errors, choices);
        page.duplicate = Some(existing);
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let tenant_id = user.tenant()?;
    let version = form.version.parse::<i32>().unwrap_or(0);
    let keep_id = input.id_number.is_none();
    if !repo::update(&mut tx, tenant_id, id, version, &stored, keep_id).await? {
        return Ok(save::conflict(
            &ctx,
            Conflict {
                fields: form.compare(&before),
                edit: format!("/educators/{id}/edit"),
                view: format!("/educators/{id}"),
            },
        ));
    }
    let after = repo::find(&mut tx, "/", today(), id).await?;
    repo::record_event(
        &mut tx,
        tenant_id,
        &user.username,
        repo::NewEvent {
            educator_id: id,
            kind: "updated",
            from_status: "",
            to_status: "",
            note: "",
        },
    )
    .await?;
    let change = Change {
        tenant_id,
        action: "educator.update",
        entity: "educator",
        entity_id: Some(id),
        before: serde_json::to_value(&before).ok(),
        after: after.and_then(|e| serde_json::to_value(e).ok()),
    };
    save::done(
        tx,
        &ctx,
        &user,
        change,
        "educator.saved",
        &format!("/educators/{id}"),
    )
    .await
}

/// `POST /educators/{id}/status`: a step of the person's status (accept, ask for more,
/// decline, pause, take back, leave), guarded by the status and version the page showed.
pub async fn change_status(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let e = person(&mut tx, &user, id).await?;
    if !may_manage(&user, &e) || e.is_anonymised() {
        return Err(crate::error::AppError::NotFound);
    }
    let to = format!("/educators/{id}");
    let Some(step) = Status::parse(&p.get("to"))
        .filter(|s| Status::parse(&e.status).is_some_and(|from| from.can_become(*s)))
    else {
        return Ok(flash_redirect("step.not_now", &to));
    };
    let note = p.get("note").trim().chars().take(200).collect::<String>();
    if step == Status::Declined && note.is_empty() || crate::web::forms::has_control(&note, false) {
        return Ok(flash_redirect("educator.reason_needed", &to));
    }
    if matches!(step, Status::Declined | Status::Left) {
        let c = Confirm {
            title: if step == Status::Left {
                "educator.confirm_left"
            } else {
                "educator.confirm_decline"
            },
            what: if step == Status::Left {
                "educator.confirm_left_what"
            } else {
                "educator.confirm_decline_what"
            },
            subject: format!("{} ({})", e.name, e.volunteer_no),
            back: to.clone(),
        };
        if let Some(page) = confirm::ask(&ctx, c) {
            return Ok(page);
        }
    }
    let version = p.get("version").parse::<i32>().ok();
    if !repo::set_status(
        &mut tx,
        id,
        Status::may_become(step),
        step.as_str(),
        version,
        &note,
    )
    .await?
    {
        return Ok(flash_redirect("form.conflict", &to));
    }
    let tenant_id = user.tenant()?;
    repo::record_event(
        &mut tx,
        tenant_id,
        &user.username,
        repo::NewEvent {
            educator_id: id,
            kind: "status",
            from_status: &e.status,
            to_status: step.as_str(),
            note: &note,
        },
    )
    .await?;
    let change = Change {
        tenant_id,
        action: "educator.status",
        entity: "educator",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "status": e.status })),
        after: Some(serde_json::json!({ "status": step.as_str(), "note": note })),
    };
    let flash = if e.status == "applied" || e.status == "more_info" {
        "educator.reviewed"
    } else {
        "educator.status_saved"
    };
    save::done(tx, &ctx, &user, change, flash, &to).await
}

/// `POST /educators/{id}/reveal`: the person's page with their phone or ID number in full,
/// for the bureau and their own town school; who saw whose field, and when, is audited.
pub async fn reveal(
    ctx: Ctx,
    user: CurrentUser,
    State(app): State<AppState>,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let e = person(&mut tx, &user, id).await?;
    if !may_reveal(&user, &e) || e.is_anonymised() {
        return Err(crate::error::AppError::NotFound);
    }
    let field = p.get("field");
    let revealed = match field.as_str() {
        "phone" => (Some(e.phone.clone()), None),
        "id_number" => {
            let sealed = repo::id_cipher(&mut tx, id).await?;
            (None, sealed.and_then(|s| app.key.decrypt(&s)))
        }
        _ => return Err(crate::error::AppError::NotFound),
    };
    let change = Change {
        tenant_id: user.tenant()?,
        action: "educator.reveal",
        entity: "educator",
        entity_id: Some(id),
        before: None,
        after: Some(serde_json::json!({ "field": field })),
    };
    crate::audit::record(&mut tx, &crate::audit::Actor::of(&user, &ctx), change).await?;
    Ok(render(&show_page(tx, ctx, &user, e, revealed).await?))
}

/// `POST /educators/{id}/anonymise`: someone who has left, their name and contact replaced
/// for good (the bureau only, after a confirmation); volunteer number and hours stay.
pub async fn anonymise(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    require(&user, Action::AnonymiseEducators)?;
    let e = person(&mut tx, &user, id).await?;
    let to = format!("/educators/{id}");
    if e.status != "left" || e.is_anonymised() {
        return Ok(flash_redirect("step.not_now", &to));
    }
    let c = Confirm {
        title: "educator.confirm_anonymise",
        what: "educator.confirm_anonymise_what",
        subject: format!("{} ({})", e.name, e.volunteer_no),
        back: to.clone(),
    };
    if let Some(page) = confirm::ask(&ctx, c) {
        return Ok(page);
    }
    let placeholder = format!("{} {}", ctx.t("educator.anonymised"), e.volunteer_no);
    if !repo::anonymise(&mut tx, id, &placeholder).await? {
        return Ok(flash_redirect("step.not_now", &to));
    }
    let tenant_id = user.tenant()?;
    repo::record_event(
        &mut tx,
        tenant_id,
        &user.username,
        repo::NewEvent {
            educator_id: id,
            kind: "anonymised",
            from_status: "left",
            to_status: "left",
            note: "",
        },
    )
    .await?;
    let change = Change {
        tenant_id,
        action: "educator.anonymise",
        entity: "educator",
        entity_id: Some(id),
        before: None,
        after: Some(serde_json::json!({ "volunteer_no": e.volunteer_no })),
    };
    save::done(tx, &ctx, &user, change, "educator.anonymised_done", &to).await
}
