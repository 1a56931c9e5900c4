//! A person's qualifications: name, issuer, number, how long valid, and a scan of it (judged
//! by its content, downloaded only as a file); marked on the person's page and the town's home
//! in their last month.

use super::repo::quals::{self, NewQualification};
use super::{may_manage, person};
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, date, text};
use crate::web::{Ctx, files, flash_redirect, once, save};
use axum::extract::{Multipart, Path};
use axum::response::Response;

/// `POST /educators/{id}/qualifications` (multipart): a qualification, with or without a scan.
pub async fn add(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response> {
    let e = person(&mut tx, &user, id).await?;
    if !may_manage(&user, &e) || e.is_anonymised() {
        return Err(AppError::NotFound);
    }
    let to = format!("/educators/{id}#qualifications");
    let mut fields = std::collections::HashMap::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(|_| AppError::BadRequest)?;
            if !bytes.is_empty() {
                file = Some((file_name, bytes.to_vec()));
            }
        } else if let Ok(value) = field.text().await {
            fields.insert(name, value);
        }
    }
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let mut errors = FieldErrors::default();
    let name = text(&mut errors, "name", &get("name"), true, 50);
    let issuer = text(&mut errors, "issuer", &get("issuer"), false, 50);
    let number = text(&mut errors, "number", &get("number"), false, 50);
    let valid_until = date(&mut errors, "valid_until", &get("valid_until"), false);
    let kind = match &file {
        Some((file_name, bytes)) => match files::acceptable(file_name, bytes) {
            Ok(kind) => Some(kind),
            Err(key) => return Ok(flash_redirect(key, &to)),
        },
        None => None,
    };
    if !errors.is_empty() {
        return Ok(flash_redirect("qualification.invalid", &to));
    }
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let file_name: String = file
        .as_ref()
        .map(|(n, _)| n.chars().take(100).collect())
        .unwrap_or_default();
    let q = quals::insert(
        &mut tx,
        tenant_id,
        id,
        NewQualification {
            name: &name,
            issuer: &issuer,
            number: &number,
            valid_until,
            file: file.as_ref().map(|(_, bytes)| {
                (
                    file_name.as_str(),
                    kind.unwrap_or_default(),
                    bytes.as_slice(),
                )
            }),
        },
    )
    .await?;
    once::created(&mut tx, &ctx, tenant_id, &to).await?;
    let change = Change {
        tenant_id,
        action: "qualification.create",
        entity: "educator",
        entity_id: Some(id),
        before: None,
        after: Some(
            serde_json::json!({ "qualification": q, "name": name, "valid_until": valid_until }),
        ),
    };
    save::done(tx, &ctx, &user, change, "qualification.saved", &to).await
}

/// A qualification's scan, as a download, for those who may see the person.
pub async fn download(
    user: CurrentUser,
    mut tx: Tx,
    Path((id, q)): Path<(i64, i64)>,
) -> Result<Response> {
    person(&mut tx, &user, id).await?;
    let (name, kind, content) = quals::file(&mut tx, id, q).await?.or_404()?;
    tx.commit().await?;
    let content = content.or_404()?;
    Ok(files::download(&name, kind, content))
}

/// `POST /educators/{id}/qualifications/{q}/delete`, after a confirmation.
pub async fn delete(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, q)): Path<(i64, i64)>,
) -> Result<Response> {
    let e = person(&mut tx, &user, id).await?;
    if !may_manage(&user, &e) {
        return Err(AppError::NotFound);
    }
    let to = format!("/educators/{id}#qualifications");
    let existing = quals::of(&mut tx, id).await?;
    let found = existing.iter().find(|x| x.id == q).or_404()?;
    let c = Confirm {
        title: "qualification.confirm_delete",
        what: "qualification.confirm_delete_what",
        subject: format!("{} · {}", e.name, found.name),
        back: to.clone(),
    };
    if let Some(page) = confirm::ask(&ctx, c) {
        return Ok(page);
    }
    let name = quals::delete(&mut tx, id, q).await?.or_404()?;
    let change = Change {
        tenant_id: user.tenant()?,
        action: "qualification.delete",
        entity: "educator",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "qualification": q, "name": name })),
        after: None,
    };
    save::done(tx, &ctx, &user, change, "qualification.deleted", &to).await
}
