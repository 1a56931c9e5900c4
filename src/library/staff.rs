//! The library as staff keep it: the list of resources in scope (filters, count, pages, export,
//! print), a resource's form, its page with its files and lessons and the review's steps, and
//! the bureau's limit on file sizes.

use super::forms::{self, ResourceForm};
use super::model::{KINDS, LANGUAGES, LICENCES, POPULATIONS, SUBJECTS, Step, has_file};
use super::repo::{self, Lesson, Resource, Resources, STATUSES, Which};
use super::{managed, may_manage, require, resource, scope};
use crate::access::{Action, Role, may};
use crate::activities::repo::OrganiserChoice;
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::reports::xlsx::Cell;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::list::{self, ListQuery, Paged, Printed};
use crate::web::save::{self, Conflict};
use crate::web::{Ctx, flash_redirect, once, render, render_with, today};
use askama::Template;
use axum::extract::{Multipart, Path};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

fn change(
    tenant_id: i64,
    action: &'static str,
    id: i64,
    before: Option<&Resource>,
    after: serde_json::Value,
) -> Change<'static> {
    Change {
        tenant_id,
        action,
        entity: "library_resource",
        entity_id: Some(id),
        before: before.and_then(|b| serde_json::to_value(b).ok()),
        after: Some(after),
    }
}

/// The providers a user may add resources for: the units in scope, and member units (all of
/// them for the bureau, one's own for its officer).
async fn providers(tx: &mut Tx, user: &CurrentUser) -> Result<Vec<OrganiserChoice>> {
    let all =
        crate::activities::repo::organisers(tx, &scope(user), user.role == Role::DistrictAdmin)
            .await?;
    Ok(all
        .into_iter()
        .filter(|o| user.role != Role::UnitOfficer || o.kind == "member_unit")
        .collect())
}

/// What the lists' filters choose from.
pub struct Filters {
    pub providers: Vec<OrganiserChoice>,
    pub kinds: &'static [&'static str],
    pub subjects: &'static [&'static str],
    pub populations: &'static [&'static str],
    pub statuses: &'static [&'static str],
}

#[derive(Template)]
#[template(path = "library/index.html")]
struct ListPage {
    ctx: Ctx,
    list: Paged<Resource>,
    query: ListQuery,
    filters: Filters,
    can_add: bool,
    can_review: bool,
    max_file_mb: i32,
    errors: FieldErrors,
}

async fn list_page(
    ctx: Ctx,
    user: &CurrentUser,
    tx: &mut Tx,
    query: ListQuery,
    errors: FieldErrors,
) -> Result<ListPage> {
    require(user, Action::ViewLibrary)?;
    let s = scope(user);
    let listing = Resources {
        query: &query,
        scope: Some(&s),
    };
    let rows = list::page(tx, &listing, query.page()).await?;
    let filters = Filters {
        providers: crate::activities::repo::organisers(tx, &s, user.role.is_district_wide())
            .await?,
        kinds: &KINDS,
        subjects: &SUBJECTS,
        populations: &POPULATIONS,
        statuses: &STATUSES,
    };
    let max_file_mb = repo::max_file_mb(tx).await?;
    Ok(ListPage {
        ctx,
        list: rows,
        query,
        filters,
        can_add: may(user.role, Action::AddLibrary),
        can_review: may(user.role, Action::ReviewLibrary),
        max_file_mb,
        errors,
    })
}

/// `GET /library?q=&kind=&subject=&population=&provider=&status=&sort=&page=`: the resources
/// in scope, every status, under how many match.
pub async fn list(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    let page = list_page(ctx, &user, &mut tx, query, FieldErrors::default()).await?;
    tx.commit().await?;
    Ok(render(&page))
}

const COLUMNS: [&str; 10] = [
    "library.title_field",
    "library.kind",
    "library.subject",
    "library.populations",
    "library.provider",
    "library.duration",
    "library.licence",
    "library.status",
    "library.views",
    "library.external_url",
];

fn row(ctx: &Ctx, r: Resource) -> Vec<Cell> {
    let populations: Vec<String> = r
        .populations
        .iter()
        .map(|p| ctx.label("population", p))
        .collect();
    vec![
        r.title.as_str().into(),
        ctx.label("library.kind", &r.kind).into(),
        ctx.label("library.subject", &r.subject).into(),
        populations.join("、").into(),
        r.provider_name.as_str().into(),
        match r.duration_minutes {
            Some(d) => Cell::from(i64::from(d)),
            None => Cell::Empty,
        },
        ctx.label("library.licence", &r.licence).into(),
        ctx.label("library.status", &r.status).into(),
        Cell::from(r.views),
        r.external_url.as_str().into(),
    ]
}

/// `GET /library/export.xlsx?<filters>`: every resource the list shows.
pub async fn export(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    require(&user, Action::ViewLibrary)?;
    let s = scope(&user);
    let listing = Resources {
        query: &query,
        scope: Some(&s),
    };
    let headers: Vec<&str> = COLUMNS.iter().map(|k| ctx.t(k)).collect();
    list::export_all(
        &mut tx,
        &listing,
        &user.tenant_name,
        ctx.t("library.title"),
        "library",
        &headers,
        |r| row(&ctx, r),
    )
    .await
}

#[derive(Template)]
#[template(path = "library/print.html")]
struct PrintPage {
    ctx: Ctx,
    rows: Vec<Resource>,
    printed: Printed,
    district: String,
    date: String,
}

/// `GET /library/print?<filters>`: the list as a document.
pub async fn print(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    require(&user, Action::ViewLibrary)?;
    let s = scope(&user);
    let listing = Resources {
        query: &query,
        scope: Some(&s),
    };
    let (rows, printed) = list::print(&mut tx, &listing).await?;
    tx.commit().await?;
    Ok(render(&PrintPage {
        ctx,
        rows,
        printed,
        district: user.tenant_name.clone(),
        date: today().to_string(),
    }))
}

#[derive(Template)]
#[template(path = "library/form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: ResourceForm,
    errors: FieldErrors,
    providers: Vec<OrganiserChoice>,
    kinds: &'static [&'static str],
    subjects: &'static [&'static str],
    populations: &'static [&'static str],
    licences: &'static [&'static str],
    languages: &'static [&'static str],
}

fn form_page(
    ctx: Ctx,
    id: Option<i64>,
    form: ResourceForm,
    errors: FieldErrors,
    providers: Vec<OrganiserChoice>,
) -> FormPage {
    FormPage {
        ctx,
        id,
        form,
        errors,
        providers,
        kinds: &KINDS,
        subjects: &SUBJECTS,
        populations: &POPULATIONS,
        licences: &LICENCES,
        languages: &LANGUAGES,
    }
}

fn keys(providers: &[OrganiserChoice]) -> Vec<String> {
    providers.iter().map(|p| p.key.clone()).collect()
}

/// `GET /library/new`: a resource's form, its provider the user's own unit to start with.
pub async fn new_form(ctx: Ctx, user: CurrentUser, mut tx: Tx) -> Result<Response> {
    require(&user, Action::AddLibrary)?;
    let providers = providers(&mut tx, &user).await?;
    tx.commit().await?;
    let own = match (user.unit_id, user.member_unit_id) {
        (_, Some(m)) if user.role == Role::UnitOfficer => format!("m{m}"),
        (Some(u), _) => format!("u{u}"),
        _ => providers.first().map(|p| p.key.clone()).unwrap_or_default(),
    };
    let form = ResourceForm {
        kind: "video".into(),
        subject: "digital".into(),
        provider: own,
        licence: "cc_by_nc".into(),
        language: "zh".into(),
        ..Default::default()
    };
    Ok(render(&form_page(
        ctx,
        None,
        form,
        FieldErrors::default(),
        providers,
    )))
}

/// `POST /library`: a new resource, a draft of its unit's.
pub async fn create(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require(&user, Action::AddLibrary)?;
    let providers = providers(&mut tx, &user).await?;
    let form = ResourceForm::from_pairs(&p);
    let input = match form.parse(&keys(&providers)) {
        Ok(input) => input,
        Err(errors) => {
            let page = form_page(ctx, None, form, errors, providers);
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let id = repo::insert(&mut tx, tenant_id, &input, &user.display_name).await?;
    let location = format!("/library/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    let after = repo::find(&mut tx, &scope(&user), id).await?;
    let after = after
        .and_then(|r| serde_json::to_value(r).ok())
        .unwrap_or_default();
    let change = change(tenant_id, "library.create", id, None, after);
    save::done(tx, &ctx, &user, change, "library.saved", &location).await
}

#[derive(Template)]
#[template(path = "library/show.html")]
struct ShowPage {
    ctx: Ctx,
    r: Resource,
    lessons: Vec<Lesson>,
    editable: bool,
    steps: Vec<Step>,
    max_file_mb: i32,
    errors: FieldErrors,
    lesson_title: String,
    lesson_duration: String,
    lesson_url: String,
}

impl ShowPage {
    fn takes_file(&self) -> bool {
        has_file(&self.r.kind)
    }
}

async fn show_page(
    tx: &mut Tx,
    ctx: Ctx,
    user: &CurrentUser,
    id: i64,
    errors: FieldErrors,
) -> Result<ShowPage> {
    let r = resource(tx, user, id).await?;
    let lessons = repo::lessons(tx, id).await?;
    let can_manage = may_manage(user, &r);
    let can_review = may(user.role, Action::ReviewLibrary);
    let steps = Step::ALL
        .into_iter()
        .filter(|s| s.from().contains(&r.status.as_str()))
        .filter(|s| if s.reviews() { can_review } else { can_manage })
        .collect();
    let max_file_mb = repo::max_file_mb(tx).await?;
    Ok(ShowPage {
        editable: can_manage && super::model::EDITABLE.contains(&r.status.as_str()),
        lesson_title: ctx.posted("lesson_title").to_string(),
        lesson_duration: ctx.posted("lesson_duration").to_string(),
        lesson_url: ctx.posted("lesson_url").to_string(),
        ctx,
        r,
        lessons,
        steps,
        max_file_mb,
        errors,
    })
}

/// `GET /library/{id}`: the resource as it stands, its files and lessons, and what the user
/// may do next: edit and submit it (its unit), publish or return it (the bureau).
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

/// `GET /library/{id}/edit`.
pub async fn edit_form(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let r = managed(&mut tx, &user, id).await?;
    let providers = providers(&mut tx, &user).await?;
    tx.commit().await?;
    if !super::model::EDITABLE.contains(&r.status.as_str()) {
        return Ok(flash_redirect(
            "library.not_editable",
            &format!("/library/{id}"),
        ));
    }
    let form = ResourceForm::from_resource(&r);
    Ok(render(&form_page(
        ctx,
        Some(id),
        form,
        FieldErrors::default(),
        providers,
    )))
}

/// `POST /library/{id}`: an edit, versioned, while the resource is the unit's to change.
pub async fn update(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let before = managed(&mut tx, &user, id).await?;
    let providers = providers(&mut tx, &user).await?;
    let form = ResourceForm::from_pairs(&p);
    let input = match form.parse(&keys(&providers)) {
        Ok(input) => input,
        Err(errors) => {
            let page = form_page(ctx, Some(id), form, errors, providers);
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let to = format!("/library/{id}");
    let version = form.version.parse::<i32>().unwrap_or(0);
    if !repo::update(&mut tx, id, version, &input).await? {
        if !super::model::EDITABLE.contains(&before.status.as_str()) {
            return Ok(flash_redirect("library.not_editable", &to));
        }
        return Ok(save::conflict(
            &ctx,
            Conflict {
                fields: form.compare(&before),
                edit: format!("/library/{id}/edit"),
                view: to,
            },
        ));
    }
    let after = repo::find(&mut tx, &scope(&user), id).await?;
    let after = after
        .and_then(|r| serde_json::to_value(r).ok())
        .unwrap_or_default();
    let change = change(user.tenant()?, "library.update", id, Some(&before), after);
    save::done(tx, &ctx, &user, change, "library.saved", &to).await
}

/// `POST /library/{id}/step` (`action`, `version`, `reason`): the unit submits its resource
/// (once it has a file, a link or a lesson); the bureau publishes it or returns it with a
/// reason, and may withdraw a published one with a reason, after a confirmation.
pub async fn step(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let r = resource(&mut tx, &user, id).await?;
    let to = format!("/library/{id}");
    let step = Step::parse(&p.get("action")).or_404()?;
    let allowed = if step.reviews() {
        may(user.role, Action::ReviewLibrary)
    } else {
        may_manage(&user, &r)
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    if !step.from().contains(&r.status.as_str()) {
        return Ok(flash_redirect("step.not_now", &to));
    }
    // Only a return and a withdrawal carry a reason.
    let reason = if step.needs_reason() {
        p.get("reason").trim().to_string()
    } else {
        String::new()
    };
    if step.needs_reason() {
        let mut errors = FieldErrors::default();
        crate::web::forms::text(&mut errors, "reason", &reason, true, 500);
        if !errors.is_empty() {
            let page = show_page(&mut tx, ctx, &user, id, errors).await?;
            tx.commit().await?;
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    }
    if matches!(step, Step::Submit | Step::Publish) && !repo::has_content(&mut tx, &r).await? {
        return Ok(flash_redirect("library.no_content", &to));
    }
    if matches!(step, Step::Publish | Step::Withdraw) {
        let c = Confirm {
            title: match step {
                Step::Publish => "library.confirm_publish",
                _ => "library.confirm_withdraw",
            },
            what: match step {
                Step::Publish => "library.confirm_publish_what",
                _ => "library.confirm_withdraw_what",
            },
            subject: r.title.clone(),
            back: to.clone(),
        };
        if let Some(page) = confirm::ask(&ctx, c) {
            return Ok(page);
        }
    }
    let applied = crate::web::transition::Step {
        table: "library_resource",
        id,
        from: step.from(),
        to: step.to(),
        version: p.get("version").parse().ok(),
        also: match step {
            Step::Submit => "status_since = $5, reason = ''",
            Step::Publish => {
                "status_since = $5, reason = '', published_at = coalesce(published_at, now()),
                 changed_at = date_trunc('second', now())"
            }
            Step::Return => "status_since = $5, reason = $6",
            Step::Withdraw => {
                "status_since = $5, reason = $6, changed_at = date_trunc('second', now())"
            }
        },
        note: &reason,
    }
    .apply(&mut tx)
    .await?;
    if !applied {
        return Ok(flash_redirect("step.not_now", &to));
    }
    let after = serde_json::json!({ "from": r.status, "to": step.to(), "reason": reason });
    let change = change(user.tenant()?, "library.step", id, None, after);
    save::done(tx, &ctx, &user, change, "library.step_done", &to).await
}

/// What a file's content is, if the library takes it as `which` of a resource of `kind`, or
/// the catalogue key of why not.
fn judge(
    name: &str,
    bytes: &[u8],
    which: Which,
    max: usize,
) -> std::result::Result<&'static str, &'static str> {
    if bytes.is_empty() {
        return Err("file.empty");
    }
    if bytes.len() > max {
        return Err("library.file_too_large");
    }
    match which {
        Which::Cover => crate::web::files::acceptable(name, bytes).and_then(|k| {
            k.starts_with("image/")
                .then_some(k)
                .ok_or("library.cover_type")
        }),
        _ => super::model::content_kind(name, bytes).ok_or("library.file_type"),
    }
}

async fn upload(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    id: i64,
    which: Which,
    multipart: Multipart,
) -> Result<Response> {
    let r = managed(&mut tx, &user, id).await?;
    let to = format!("/library/{id}");
    if !super::model::EDITABLE.contains(&r.status.as_str()) {
        return Ok(flash_redirect("library.not_editable", &to));
    }
    if let Which::Lesson(l) = which {
        repo::lessons(&mut tx, id)
            .await?
            .iter()
            .find(|x| x.id == l)
            .or_404()?;
    }
    let max = repo::max_file_mb(&mut tx).await? as usize * 1024 * 1024;
    let Some((name, bytes)) = crate::web::files::one_upload(multipart).await? else {
        return Ok(flash_redirect("file.empty", &to));
    };
    let kind = match judge(&name, &bytes, which, max) {
        Ok(kind) => kind,
        Err(key) => {
            let mut errors = FieldErrors::default();
            errors.add(
                match which {
                    Which::Cover => "cover",
                    Which::Lesson(_) => "lesson_file",
                    Which::Content => "file",
                },
                key,
            );
            let page = show_page(&mut tx, ctx, &user, id, errors).await?;
            tx.commit().await?;
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let tenant_id = user.tenant()?;
    let file = repo::replace_file(
        &mut tx,
        tenant_id,
        id,
        which,
        &name,
        kind,
        &bytes,
        &user.display_name,
    )
    .await?;
    if !repo::touch(&mut tx, id, r.version).await? {
        return Ok(flash_redirect("step.not_now", &to));
    }
    let (action, lesson) = match which {
        Which::Cover => ("library.cover_add", None),
        Which::Lesson(l) => ("library.file_add", Some(l)),
        Which::Content => ("library.file_add", None),
    };
    let after = serde_json::json!({ "file": file, "name": name, "size": bytes.len(),
                                    "type": kind, "lesson": lesson });
    let change = change(tenant_id, action, id, None, after);
    save::done(tx, &ctx, &user, change, "library.file_saved", &to).await
}

/// `POST /library/{id}/file` (multipart `file`): the resource's video, audio or document.
pub async fn upload_content(
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response> {
    upload(ctx, user, tx, id, Which::Content, multipart).await
}

/// `POST /library/{id}/cover` (multipart `file`): its cover image.
pub async fn upload_cover(
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response> {
    upload(ctx, user, tx, id, Which::Cover, multipart).await
}

/// `POST /library/{id}/lessons/{l}/file` (multipart `file`): a lesson's file.
pub async fn upload_lesson(
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    Path((id, l)): Path<(i64, i64)>,
    multipart: Multipart,
) -> Result<Response> {
    upload(ctx, user, tx, id, Which::Lesson(l), multipart).await
}

/// `POST /library/{id}/lessons` (`lesson_title`, `lesson_duration`, `lesson_url`): a lesson at
/// the end of a course.
pub async fn add_lesson(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let r = managed(&mut tx, &user, id).await?;
    let to = format!("/library/{id}#lessons");
    if r.kind != "course" || !super::model::EDITABLE.contains(&r.status.as_str()) {
        return Ok(flash_redirect("library.not_editable", &to));
    }
    let input = match forms::lesson(&p) {
        Ok(input) => input,
        Err(errors) => {
            let page = show_page(&mut tx, ctx, &user, id, errors).await?;
            tx.commit().await?;
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let tenant_id = user.tenant()?;
    let lesson = repo::add_lesson(
        &mut tx,
        tenant_id,
        id,
        &input.title,
        input.duration_minutes,
        &input.external_url,
    )
    .await?;
    if !repo::touch(&mut tx, id, r.version).await? {
        return Ok(flash_redirect("step.not_now", &to));
    }
    let after = serde_json::json!({ "lesson": lesson, "title": input.title,
                                    "external_url": input.external_url });
    let change = change(tenant_id, "library.lesson_add", id, None, after);
    save::done(tx, &ctx, &user, change, "library.saved", &to).await
}

/// `POST /library/{id}/lessons/{l}/delete`: a lesson and its file, after a confirmation.
pub async fn delete_lesson(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, l)): Path<(i64, i64)>,
) -> Result<Response> {
    let r = managed(&mut tx, &user, id).await?;
    let to = format!("/library/{id}#lessons");
    if !super::model::EDITABLE.contains(&r.status.as_str()) {
        return Ok(flash_redirect("library.not_editable", &to));
    }
    let lessons = repo::lessons(&mut tx, id).await?;
    let lesson = lessons.iter().find(|x| x.id == l).or_404()?;
    let c = Confirm {
        title: "library.confirm_delete_lesson",
        what: "library.confirm_delete_lesson_what",
        subject: lesson.title.clone(),
        back: to.clone(),
    };
    if let Some(page) = confirm::ask(&ctx, c) {
        return Ok(page);
    }
    let before = serde_json::to_value(lesson).ok();
    repo::delete_lesson(&mut tx, id, l).await?;
    if !repo::touch(&mut tx, id, r.version).await? {
        return Ok(flash_redirect("step.not_now", &to));
    }
    let change = Change {
        tenant_id: user.tenant()?,
        action: "library.lesson_delete",
        entity: "library_resource",
        entity_id: Some(id),
        before,
        after: None,
    };
    save::done(tx, &ctx, &user, change, "library.saved", &to).await
}

/// `POST /library/settings` (`max_file_mb`): the largest file the district's library takes.
pub async fn settings(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require(&user, Action::ReviewLibrary)?;
    let mb = match forms::max_file_mb(&p) {
        Ok(mb) => mb,
        Err(errors) => {
            let page = list_page(ctx, &user, &mut tx, ListQuery::default(), errors).await?;
            tx.commit().await?;
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let tenant_id = user.tenant()?;
    let before = repo::max_file_mb(&mut tx).await?;
    repo::set_max_file_mb(&mut tx, tenant_id, mb, &user.display_name).await?;
    let change = Change {
        tenant_id,
        action: "library.settings",
        entity: "library_setting",
        entity_id: Some(tenant_id),
        before: Some(serde_json::json!({ "max_file_mb": before })),
        after: Some(serde_json::json!({ "max_file_mb": mb })),
    };
    save::done(tx, &ctx, &user, change, "library.saved", "/library").await
}

/// A file of a resource in scope, for staff to play or open before it is public.
async fn preview_file(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    id: i64,
    which: Which,
    headers: HeaderMap,
) -> Result<Response> {
    resource(&mut tx, &user, id).await?;
    let meta = repo::file_meta(&mut tx, id, which).await?.or_404()?;
    super::public::serve(tx, &ctx, meta, &headers).await
}

/// `GET /library/{id}/preview`.
pub async fn preview(
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response> {
    preview_file(ctx, user, tx, id, Which::Content, headers).await
}

/// `GET /library/{id}/lessons/{l}/preview`.
pub async fn preview_lesson(
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    Path((id, l)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Response> {
    preview_file(ctx, user, tx, id, Which::Lesson(l), headers).await
}

/// `GET /library/{id}/cover`.
pub async fn preview_cover(
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response> {
    preview_file(ctx, user, tx, id, Which::Cover, headers).await
}
