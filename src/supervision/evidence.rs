//! Evidence files for a self-assessment: checked by their content (not their name) against the
//! kinds allowed, limited in size (web::files), stored in the database and downloadable only in scope.

use super::repo::{self, NewEvidence};
use super::{Standing, on_round, unit_for};
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use crate::web::{Ctx, files, flash_redirect, once, save};
use axum::Router;
use axum::extract::{Multipart, Path};
use axum::response::Response;
use axum::routing::{get, post};
use sha2::{Digest, Sha256};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/supervision/rounds/{id}/units/{ru}/evidence", post(upload))
        .route(
            "/supervision/rounds/{id}/units/{ru}/evidence/{file}",
            get(download),
        )
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
    let files::Upload { name, kind, bytes } =
        match files::judged(file.filter(|_| indicator_ok), "evidence.empty") {
            Ok(upload) => upload,
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
    Ok(files::download(&name, kind, content))
}
