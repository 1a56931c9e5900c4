//! The library's register as staff keep it: the resources in scope with filters, count, sort,
//! pages, export and print; and the bureau's limit on file sizes.

use super::forms;
use super::model::{KINDS, POPULATIONS, SUBJECTS};
use super::repo::{self, Resource, Resources, STATUSES};
use super::{require, scope};
use crate::access::{Action, may};
use crate::activities::repo::OrganiserChoice;
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::Result;
use crate::reports::xlsx::Cell;
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::list::{self, ListQuery, Paged, Printed};
use crate::web::save;
use crate::web::{Ctx, render, render_with, today};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

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
