//! What a resource holds: its file, its cover, a course's lessons and their files, uploaded by
//! its unit while it may be edited, and played or opened by staff before it is public.

use super::forms;
use super::record::show_again;
use super::repo::{self, Which};
use super::{change, managed, resource};
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{OrNotFound, Result};
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::save;
use crate::web::{Ctx, flash_redirect};
use axum::extract::{Multipart, Path};
use axum::http::HeaderMap;
use axum::response::Response;

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
            return show_again(tx, ctx, &user, id, errors).await;
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
            return show_again(tx, ctx, &user, id, errors).await;
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
