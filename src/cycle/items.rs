//! Adding, editing and removing the items of a draft, once for every kind of item: the
//! resources of the inventory (`items/resources.rs`) and the activities of the action plan
//! (`items/plans.rs`) each describe themselves as a [`Kind`], and the handlers here serve
//! both. Each change writes a history row and an audit row with its before and after; a
//! stale edit gets the conflict page showing what was typed beside what is saved.

mod plans;
mod resources;

use super::editable;
use super::repo::items::{self as repo, Item};
use super::repo::submissions::{self as history, Submission};
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{OrNotFound, Result};
use crate::state::AppState;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::save::{self, Compared, Conflict};
use crate::web::{Ctx, once, render, render_with};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Serialize;

use plans::Plans;
use resources::Resources;

pub fn router() -> Router<AppState> {
    routes::<Resources>().merge(routes::<Plans>())
}

/// A kind of item a submission lists: its row (which knows its SQL), form, checks and page,
/// for the handlers below to serve.
trait Kind: 'static {
    /// The item as the repo reads and writes it.
    type Row: Item<Input = Self::Input> + Serialize + Sync;
    /// The item's form as typed.
    type Form: Send + Sync;
    /// The form checked.
    type Input: Send + Sync;
    /// What the form offers to choose from, read where the form is shown or checked.
    type Choices: Send + Sync;

    /// The list's path segment and the anchor of its table on the submission's page.
    const LIST: &'static str;
    /// What its audit actions and history steps start with (`resource.create`, ...).
    const NAME: &'static str;

    fn blank() -> Self::Form;
    fn typed(p: &Pairs) -> Self::Form;
    fn saved(row: &Self::Row) -> Self::Form;
    /// The version the form was loaded with.
    fn version(form: &Self::Form) -> i32;
    /// What a confirmation calls the item.
    fn title(row: &Self::Row) -> String;

    fn choices(
        tx: &mut Tx,
        s: &Submission,
    ) -> impl Future<Output = sqlx::Result<Self::Choices>> + Send;
    fn parse(form: &Self::Form, choices: &Self::Choices) -> Result<Self::Input, FieldErrors>;
    /// What was typed beside what is saved.
    fn compare(
        form: &Self::Form,
        saved: &Self::Row,
        choices: &Self::Choices,
        ctx: &Ctx,
    ) -> Vec<Compared>;

    /// The form's page: a new item (`item` none) or item `item`.
    fn page(
        ctx: Ctx,
        s: Submission,
        item: Option<i64>,
        form: Self::Form,
        errors: FieldErrors,
        choices: Self::Choices,
    ) -> impl Template;
}

fn routes<K: Kind>() -> Router<AppState> {
    let list = format!("/submissions/{{id}}/{}", K::LIST);
    Router::new()
        .route(&format!("{list}/new"), get(new_item::<K>))
        .route(&list, post(create_item::<K>))
        .route(
            &format!("{list}/{{item}}"),
            get(edit_item::<K>).post(update_item::<K>),
        )
        .route(&format!("{list}/{{item}}/delete"), post(delete_item::<K>))
}

/// The submission's page at the kind's list.
fn list_of<K: Kind>(submission: i64) -> String {
    format!("/submissions/{submission}#{}", K::LIST)
}

fn json<T: Serialize>(row: Option<&T>) -> Option<serde_json::Value> {
    row.and_then(|r| serde_json::to_value(r).ok())
}

/// Writes the change (`create`, `update`, `delete`) into the submission's history, then
/// audits, commits and answers.
async fn done<K: Kind>(
    mut tx: Tx,
    ctx: &Ctx,
    user: &CurrentUser,
    submission: i64,
    what: &str,
    before: Option<&K::Row>,
    after: Option<&K::Row>,
) -> Result<Response> {
    let flash = if what == "delete" {
        "item.deleted"
    } else {
        "item.saved"
    };
    let tenant_id = user.tenant()?;
    let action = format!("{}.{what}", K::NAME);
    history::record(&mut tx, tenant_id, submission, &action, "", &user.username).await?;
    let change = Change {
        tenant_id,
        action: &action,
        entity: "submission",
        entity_id: Some(submission),
        before: json(before),
        after: json(after),
    };
    save::done(tx, ctx, user, change, flash, &list_of::<K>(submission)).await
}

async fn new_item<K: Kind>(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    let s = editable(&mut tx, &user, id).await?;
    let choices = K::choices(&mut tx, &s).await?;
    tx.commit().await?;
    let errors = FieldErrors::default();
    Ok(render(&K::page(ctx, s, None, K::blank(), errors, choices)))
}

async fn create_item<K: Kind>(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    let s = editable(&mut tx, &user, id).await?;
    let choices = K::choices(&mut tx, &s).await?;
    let form = K::typed(&p);
    let input = match K::parse(&form, &choices) {
        Ok(input) => input,
        Err(errors) => {
            let page = K::page(ctx, s, None, form, errors, choices);
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let tenant_id = user.tenant()?;
    if let Some(earlier) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(earlier);
    }
    let item = repo::insert::<K::Row>(&mut tx, tenant_id, id, &input).await?;
    let after = repo::find::<K::Row>(&mut tx, id, item).await?;
    once::created(&mut tx, &ctx, tenant_id, &list_of::<K>(id)).await?;
    done::<K>(tx, &ctx, &user, id, "create", None, after.as_ref()).await
}

async fn edit_item<K: Kind>(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, item)): Path<(i64, i64)>,
) -> Result<Response> {
    let s = editable(&mut tx, &user, id).await?;
    let row = repo::find::<K::Row>(&mut tx, id, item).await?.or_404()?;
    let choices = K::choices(&mut tx, &s).await?;
    tx.commit().await?;
    let (form, errors) = (K::saved(&row), FieldErrors::default());
    Ok(render(&K::page(ctx, s, Some(item), form, errors, choices)))
}

/// Saves over the version the form was loaded with; a stale save gets the conflict page.
async fn update_item<K: Kind>(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, item)): Path<(i64, i64)>,
    p: Pairs,
) -> Result<Response> {
    let s = editable(&mut tx, &user, id).await?;
    let before = repo::find::<K::Row>(&mut tx, id, item).await?.or_404()?;
    let choices = K::choices(&mut tx, &s).await?;
    let form = K::typed(&p);
    let input = match K::parse(&form, &choices) {
        Ok(input) => input,
        Err(errors) => {
            let page = K::page(ctx, s, Some(item), form, errors, choices);
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    if !repo::update::<K::Row>(&mut tx, item, K::version(&form), &input).await? {
        let c = Conflict {
            fields: K::compare(&form, &before, &choices, &ctx),
            edit: format!("/submissions/{id}/{}/{item}", K::LIST),
            view: list_of::<K>(id),
        };
        return Ok(save::conflict(&ctx, c));
    }
    let after = repo::find::<K::Row>(&mut tx, id, item).await?;
    done::<K>(tx, &ctx, &user, id, "update", Some(&before), after.as_ref()).await
}

/// Removes an item, once confirmed.
async fn delete_item<K: Kind>(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, item)): Path<(i64, i64)>,
) -> Result<Response> {
    editable(&mut tx, &user, id).await?;
    let before = repo::find::<K::Row>(&mut tx, id, item).await?.or_404()?;
    let c = Confirm {
        title: "item.confirm_delete",
        what: "item.confirm_delete_what",
        subject: K::title(&before),
        back: list_of::<K>(id),
    };
    if let Some(page) = confirm::ask(&ctx, c) {
        return Ok(page);
    }
    repo::delete::<K::Row>(&mut tx, id, item).await?;
    done::<K>(tx, &ctx, &user, id, "delete", Some(&before), None).await
}
