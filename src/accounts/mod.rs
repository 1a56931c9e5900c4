//! District accounts: a district administrator creates them, grants a role with a scope inside
//! the district, disables them (ending their sessions) and resets passwords.

mod forms;
mod model;
pub mod repo;

use crate::access::{Action, Role, may};
use crate::audit::Change;
use crate::auth::password;
use crate::auth::session::{self, CurrentUser};
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::network::repo::{self as units, Unit};
use crate::reports::xlsx::Cell;
use crate::state::AppState;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::FieldErrors;
use crate::web::list::{self, ListQuery, PRINT_LIMIT, Paged, Printed};
use crate::web::save::{self, Conflict};
use crate::web::{Ctx, once, render, render_with, today};
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
pub use forms::AccountForm;
use repo::{Account, MemberUnit};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accounts", get(list_accounts).post(create_account))
        .route("/accounts/export.xlsx", get(export_accounts))
        .route("/accounts/print", get(print_accounts))
        .route("/accounts/new", get(new_account_form))
        .route(
            "/accounts/{id}",
            get(edit_account_form).post(update_account),
        )
        .route("/accounts/{id}/disable", post(disable_account))
        .route("/accounts/{id}/enable", post(enable_account))
        .route("/accounts/{id}/password", post(reset_password))
}

fn require(user: &CurrentUser) -> Result<()> {
    if may(user.role, Action::ManageAccounts) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

async fn find(tx: &mut Tx, id: i64) -> Result<Account> {
    repo::find(tx, id).await?.or_404()
}

#[derive(Template)]
#[template(path = "accounts/index.html")]
struct AccountListPage {
    ctx: Ctx,
    list: Paged<Account>,
    query: ListQuery,
    roles: Vec<Role>,
}

async fn list_accounts(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    require(&user)?;
    let page = query.page();
    let rows = repo::page(&mut tx, &query, page).await?;
    tx.commit().await?;
    let total = rows.first().map_or(0, |a| a.total);
    Ok(render(&AccountListPage {
        ctx,
        list: Paged::new(rows, total, page),
        query,
        roles: Role::DISTRICT_GRANTABLE.to_vec(),
    }))
}

const COLUMNS: [&str; 5] = [
    "account.username",
    "account.display_name",
    "account.role",
    "account.scope",
    "unit.status",
];

fn row(ctx: &Ctx, a: Account) -> Vec<Cell> {
    let role = ctx.tr(&a.role_label());
    vec![
        a.username.into(),
        a.display_name.into(),
        role.into(),
        a.scope_name
            .unwrap_or_else(|| ctx.tr("account.whole_district"))
            .into(),
        ctx.tr(if a.disabled {
            "account.disabled"
        } else {
            "account.enabled"
        })
        .into(),
    ]
}

/// `GET /accounts/export.xlsx?<filters>`: every account the list shows with those filters.
async fn export_accounts(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    require(&user)?;
    let headers: Vec<&str> = COLUMNS.iter().map(|k| ctx.t(k)).collect();
    let title = format!(
        "{} · {}（{}）",
        user.tenant_name,
        ctx.t("accounts.title"),
        today()
    );
    let sql = repo::all_sql(&query, None);
    let file = format!("accounts-{}.xlsx", today().format("%Y%m%d"));
    let rows = repo::all(&mut tx, &query, &sql);
    list::export(
        &file,
        ctx.t("accounts.title"),
        &title,
        &headers,
        rows,
        |a| row(&ctx, a),
    )
    .await
}

#[derive(Template)]
#[template(path = "accounts/print.html")]
struct PrintPage {
    ctx: Ctx,
    accounts: Vec<Account>,
    printed: Printed,
    query: ListQuery,
    district: String,
    date: String,
}

/// `GET /accounts/print?<filters>`: the filtered accounts as a list for the printer.
async fn print_accounts(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    query: ListQuery,
) -> Result<Response> {
    require(&user)?;
    let total = repo::total(&mut tx, &query).await?;
    let sql = repo::all_sql(&query, Some(PRINT_LIMIT));
    let accounts: Vec<Account> = {
        use futures_util::TryStreamExt;
        repo::all(&mut tx, &query, &sql).try_collect().await?
    };
    tx.commit().await?;
    Ok(render(&PrintPage {
        ctx,
        printed: Printed {
            shown: accounts.len(),
            total,
        },
        accounts,
        query,
        district: user.tenant_name.clone(),
        date: today().to_string(),
    }))
}

#[derive(Template)]
#[template(path = "accounts/form.html")]
struct AccountFormPage {
    ctx: Ctx,
    account: Option<Account>,
    form: AccountForm,
    errors: FieldErrors,
    roles: Vec<Role>,
    units: Vec<Unit>,
    member_units: Vec<MemberUnit>,
}

async fn form_page(
    tx: &mut Tx,
    ctx: Ctx,
    account: Option<Account>,
    form: AccountForm,
    errors: FieldErrors,
) -> Result<AccountFormPage> {
    let units = units::scope_choices(tx).await?;
    let member_units = repo::member_units(tx).await?;
    Ok(AccountFormPage {
        ctx,
        account,
        form,
        errors,
        roles: Role::DISTRICT_GRANTABLE.to_vec(),
        units,
        member_units,
    })
}

/// The form again with its errors beside the fields (422); nothing was saved.
async fn invalid(
    mut tx: Tx,
    ctx: Ctx,
    account: Option<Account>,
    form: AccountForm,
    errors: FieldErrors,
) -> Result<Response> {
    let page = form_page(&mut tx, ctx, account, form, errors).await?;
    tx.rollback().await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn new_account_form(ctx: Ctx, user: CurrentUser, mut tx: Tx) -> Result<Response> {
    require(&user)?;
    let page = form_page(
        &mut tx,
        ctx,
        None,
        AccountForm::default(),
        FieldErrors::default(),
    )
    .await?;
    tx.commit().await?;
    Ok(render(&page))
}

async fn create_account(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Form(form): Form<AccountForm>,
) -> Result<Response> {
    require(&user)?;
    let input = match forms::parse(&mut tx, &form, true).await? {
        Ok(input) => input,
        Err(errors) => return invalid(tx, ctx, None, form, errors).await,
    };
    let hash = password::hash(form.password.clone()).await;
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let Some(id) = repo::insert(&mut tx, &input, &hash).await? else {
        let mut errors = FieldErrors::default();
        errors.add("username", "account.username_taken");
        return invalid(tx, ctx, None, form, errors).await;
    };
    let account = find(&mut tx, id).await?;
    let location = format!("/accounts/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    let change = Change {
        tenant_id,
        action: "account.create",
        entity: "account",
        entity_id: Some(id),
        before: None,
        after: serde_json::to_value(&account).ok(),
    };
    save::done(tx, &ctx, &user, change, "account.created", &location).await
}

async fn edit_account_form(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    require(&user)?;
    let account = find(&mut tx, id).await?;
    let form = AccountForm::from_account(&account);
    let page = form_page(&mut tx, ctx, Some(account), form, FieldErrors::default()).await?;
    tx.commit().await?;
    Ok(render(&page))
}

/// Changes the name, role and scope; a stale version gets the conflict page, never an
/// overwrite. A new role or scope takes effect at once: sessions read it on every request.
async fn update_account(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    Form(form): Form<AccountForm>,
) -> Result<Response> {
    require(&user)?;
    let before = find(&mut tx, id).await?;
    let input = match forms::parse(&mut tx, &form, false).await? {
        Ok(input) => input,
        Err(errors) => return invalid(tx, ctx, Some(before), form, errors).await,
    };
    if id == user.id && input.role != Role::DistrictAdmin {
        let mut errors = FieldErrors::default();
        errors.add("role", "account.cannot_demote_self");
        return invalid(tx, ctx, Some(before), form, errors).await;
    }
    let version = form.version.parse::<i32>().unwrap_or(0);
    if !repo::update(&mut tx, id, version, &input).await? {
        return Ok(save::conflict(
            &ctx,
            Conflict {
                fields: form.compare(&before, |key| ctx.tr(key)),
                edit: format!("/accounts/{id}"),
                view: format!("/accounts/{id}"),
            },
        ));
    }
    let after = find(&mut tx, id).await?;
    let change = Change {
        tenant_id: user.tenant()?,
        action: "account.update",
        entity: "account",
        entity_id: Some(id),
        before: serde_json::to_value(&before).ok(),
        after: serde_json::to_value(&after).ok(),
    };
    save::done(
        tx,
        &ctx,
        &user,
        change,
        "account.saved",
        &format!("/accounts/{id}"),
    )
    .await
}

async fn disable_account(
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    set_disabled(ctx, user, tx, id, true).await
}

async fn enable_account(
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    set_disabled(ctx, user, tx, id, false).await
}

/// Disabling asks first, then ends the account's sessions at once.
async fn set_disabled(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    id: i64,
    disabled: bool,
) -> Result<Response> {
    require(&user)?;
    let account = find(&mut tx, id).await?;
    let to = format!("/accounts/{id}");
    if id == user.id {
        return Ok(crate::web::flash_redirect(
            "account.cannot_disable_self",
            &to,
        ));
    }
    if disabled {
        let c = Confirm {
            title: "account.confirm_disable",
            what: "account.confirm_disable_what",
            subject: format!("{} ({})", account.display_name, account.username),
            back: to.clone(),
        };
        if let Some(page) = confirm::ask(&ctx, c) {
            return Ok(page);
        }
    }
    repo::set_disabled(&mut tx, id, disabled).await?;
    if disabled {
        session::end_all_for(&mut tx, id, None).await?;
    }
    let (action, flash) = if disabled {
        ("account.disable", "account.disabled_done")
    } else {
        ("account.enable", "account.enabled_done")
    };
    let change = Change {
        tenant_id: user.tenant()?,
        action,
        entity: "account",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "disabled": account.disabled })),
        after: Some(serde_json::json!({ "disabled": disabled })),
    };
    save::done(tx, &ctx, &user, change, flash, &to).await
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    password: String,
}

/// Sets a new password chosen by the administrator, ending the account's sessions.
async fn reset_password(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    Form(reset): Form<ResetForm>,
) -> Result<Response> {
    require(&user)?;
    let account = find(&mut tx, id).await?;
    if let Err(key) = password::check_new(&reset.password, &account.username) {
        let mut errors = FieldErrors::default();
        errors.add("new_password", key);
        let form = AccountForm::from_account(&account);
        return invalid(tx, ctx, Some(account), form, errors).await;
    }
    let hash = password::hash(reset.password).await;
    repo::set_password(&mut tx, id, &hash).await?;
    session::end_all_for(&mut tx, id, None).await?;
    let change = Change {
        tenant_id: user.tenant()?,
        action: "account.password_reset",
        entity: "account",
        entity_id: Some(id),
        before: None,
        after: None,
    };
    save::done(
        tx,
        &ctx,
        &user,
        change,
        "account.password_reset",
        &format!("/accounts/{id}"),
    )
    .await
}
