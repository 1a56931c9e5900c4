//! One-time form tokens: a double click, a re-sent POST or a nervous second press never makes
//! two records. Every create form carries a random `form_token`; the first post that uses it
//! claims it inside the create's own transaction, and a second post with the same token waits
//! for the first to commit, then lands where the first one did.

use super::{Ctx, flash_redirect};
use axum::response::Response;
use sqlx::PgConnection;

pub const FIELD: &str = "form_token";

/// Claims the form's token before creating anything. `Some(response)` when an earlier post of
/// the same form already created its record: the caller returns it instead of creating again.
/// Posts without a token (scripts) are not deduplicated.
pub async fn claim(
    tx: &mut PgConnection,
    ctx: &Ctx,
    tenant_id: i64,
) -> sqlx::Result<Option<Response>> {
    let Some(token) = ctx.submitted_form_token() else {
        return Ok(None);
    };
    let account = ctx.user.as_ref().map(|u| u.id);
    // On a conflict with an uncommitted claim this waits for it; then the row is read as committed.
    let fresh: Option<i32> = sqlx::query_scalar(
        "insert into form_token (tenant_id, token, account_id) values ($1, $2, $3)
         on conflict do nothing returning 1",
    )
    .bind(tenant_id)
    .bind(token)
    .bind(account)
    .fetch_optional(&mut *tx)
    .await?;
    if fresh.is_some() {
        return Ok(None);
    }
    let location: Option<String> = sqlx::query_scalar(
        "select location from form_token
          where tenant_id = $1 and token = $2 and account_id is not distinct from $3",
    )
    .bind(tenant_id)
    .bind(token)
    .bind(account)
    .fetch_optional(&mut *tx)
    .await?
    .flatten();
    Ok(Some(flash_redirect(
        "form.once",
        location.as_deref().unwrap_or("/"),
    )))
}

/// Records where the created record lives, for a repeated post to land on.
pub async fn created(
    tx: &mut PgConnection,
    ctx: &Ctx,
    tenant_id: i64,
    location: &str,
) -> sqlx::Result<()> {
    if let Some(token) = ctx.submitted_form_token() {
        sqlx::query("update form_token set location = $3 where tenant_id = $1 and token = $2")
            .bind(tenant_id)
            .bind(token)
            .bind(location)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}
