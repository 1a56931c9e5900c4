//! Evidence files for a self-assessment: checked by their content (not their name) against the
//! kinds allowed, limited in size, stored in the database and downloadable only in scope.

use super::repo::{self, NewEvidence};
use super::{Standing, on_round, unit_for};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use crate::web::{Ctx, flash_redirect, once, save};
use axum::Router;
use axum::extract::{Multipart, Path};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use sha2::{Digest, Sha256};

pub const MAX_BYTES: usize = 8 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/supervision/rounds/{id}/units/{ru}/evidence", post(upload))
        .route(
            "/supervision/rounds/{id}/units/{ru}/evidence/{file}",
            get(download),
        )
}

/// The kind of a file by its first bytes, with the extensions that may carry it.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static [&'static str])> {
    let starts = |m: &[u8]| bytes.starts_with(m);
    if starts(b"%PDF-") {
        Some(("application/pdf", &["pdf"]))
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", &["png"]))
    } else if starts(b"\xff\xd8\xff") {
        Some(("image/jpeg", &["jpg", "jpeg"]))
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some(("image/gif", &["gif"]))
    } else if starts(b"PK\x03\x04") && contains(bytes, b"[Content_Types].xml") {
        // Office Open XML: a zip with a content-types part.
        Some((
            "application/vnd.openxmlformats-officedocument",
            &["docx", "xlsx", "pptx"],
        ))
    } else if starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        Some(("application/x-ole-storage", &["doc", "xls", "ppt"]))
    } else {
        None
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Whether a file may be kept: a known kind whose name says the same.
pub fn acceptable(name: &str, bytes: &[u8]) -> std::result::Result<&'static str, &'static str> {
    if bytes.is_empty() {
        return Err("evidence.empty");
    }
    if bytes.len() > MAX_BYTES {
        return Err("evidence.too_large");
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    match sniff(bytes) {
        Some((kind, exts)) if exts.contains(&ext.as_str()) => Ok(kind),
        _ => Err("evidence.type"),
    }
}

async fn upload(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, ru)): Path<(i64, i64)>,
    mut multipart: Multipart,
) -> Result<Response> {
    let (round, unit, standing) = unit_for(&mut tx, &user, id, ru).await?;
    if standing.scores_as(&round) != Some("self") || unit.self_submitted_on.is_some() {
        return Err(AppError::NotFound);
    }
    let mut indicator: Option<i64> = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name() {
            Some("indicator") => indicator = field.text().await.ok().and_then(|t| t.parse().ok()),
            Some("file") => {
                let name = field
                    .file_name()
                    .unwrap_or("file")
                    .chars()
                    .take(150)
                    .collect::<String>();
                let bytes = field.bytes().await.map_err(|_| AppError::Forbidden)?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    let to = format!("/supervision/rounds/{id}/units/{ru}");
    let indicator_ok = repo::indicator_of(&mut tx, round.framework_id, indicator).await?;
    let Some((name, bytes)) = file.filter(|_| indicator_ok) else {
        return Ok(flash_redirect("evidence.empty", &to));
    };
    let kind = match acceptable(&name, &bytes) {
        Ok(kind) => kind,
        Err(key) => return Ok(flash_redirect(key, &to)),
    };
    let sha = crate::auth::session::hex(&Sha256::digest(&bytes));
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let new = NewEvidence {
        round_unit: ru,
        indicator,
        name: &name,
        kind,
        sha256: &sha,
        bytes: &bytes,
        uploaded_by: &user.username,
    };
    let file_id = repo::insert_evidence(&mut tx, tenant_id, &new).await?;
    once::created(&mut tx, &ctx, tenant_id, &to).await?;
    let after =
        serde_json::json!({ "file": file_id, "name": name, "sha256": sha, "unit": unit.unit_name });
    let change = on_round(tenant_id, "round.evidence", id, None, after);
    save::done(tx, &ctx, &user, change, "evidence.saved", &to).await
}

/// Downloads a file; anyone who may see the sheet may fetch it, always as an attachment.
async fn download(
    user: CurrentUser,
    mut tx: Tx,
    Path((id, ru, file)): Path<(i64, i64, i64)>,
) -> Result<Response> {
    let (_, _, standing) = unit_for(&mut tx, &user, id, ru).await?;
    if standing == Standing::Reader {
        return Err(AppError::NotFound);
    }
    let (name, kind, content) = repo::evidence_file(&mut tx, ru, file).await?.or_404()?;
    tx.commit().await?;
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{safe}\"; filename*=UTF-8''{}",
                    crate::web::urlencode(&name)
                ),
            ),
        ],
        content,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_judged_by_content_and_name_together() {
        assert_eq!(
            acceptable("自评报告.pdf", b"%PDF-1.7 ..."),
            Ok("application/pdf")
        );
        assert_eq!(
            acceptable("photo.JPG", b"\xff\xd8\xff\xe0rest"),
            Ok("image/jpeg")
        );
        assert_eq!(
            acceptable("setup.pdf", b"MZ\x90\x00 a windows program"),
            Err("evidence.type")
        );
        assert_eq!(
            acceptable("report.pdf", b"\x89PNG\r\n\x1a\nimage"),
            Err("evidence.type"),
            "a png called pdf"
        );
        assert_eq!(
            acceptable("run.sh", b"#!/bin/sh\nrm -rf /"),
            Err("evidence.type")
        );
        assert_eq!(acceptable("empty.pdf", b""), Err("evidence.empty"));
        assert_eq!(
            acceptable("big.pdf", &vec![b'%'; MAX_BYTES + 1]),
            Err("evidence.too_large")
        );
    }
}
