//! District accounts: a district administrator creates them, grants a role with a scope inside
//! the district, disables them (ending their sessions) and resets passwords.

mod forms;

use crate::access::{Action, Role, may};
use crate::state::AppState;
use crate::audit::{self, Actor, Change};
use crate::auth::password;
use crate::auth::session::{self, CurrentUser};
use crate::db::Tx;
use crate::error::{AppError, OrNotFound, Result};
use crate::network::repo::{self as units, Unit};
use crate::web::confirm::{self, Confirm};
use crate::web::forms::FieldErrors;
use crate::web::once;
use crate::web::{Ctx, flash_redirect, render, render_with};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
pub use forms::AccountForm;
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accounts", get(list_accounts).post(create_account))
        .route("/accounts/new", get(new_account_form))
        .route(
            "/accounts/{id}",
            get(edit_account_form).post(update_account),
        )
        .route("/accounts/{id}/disable", post(disable_account))
        .route("/accounts/{id}/enable", post(enable_account))
        .route("/accounts/{id}/password", post(reset_password))
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: Option<i64>,
    pub member_unit_id: Option<i64>,
    pub disabled: bool,
    pub version: i32,
    #[serde(skip)]
    pub scope_name: Option<String>,
}

impl Account {
    pub fn role_label(&self) -> String {
        format!("role.{}", self.role)
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberUnit {
    pub id: i64,
    pub name: String,
}

const SELECT: &str = "select a.id, a.username, a.display_name, a.role, a.unit_id, a.member_unit_id, a.disabled, a.version,
        coalesce(u.name, m.name) as scope_name
   from account a
   left join org_unit u on u.tenant_id = a.tenant_id and u.id = a.unit_id
   left join member_unit m on m.tenant_id = a.tenant_id and m.id = a.member_unit_id";

fn require(user: &CurrentUser) -> Result<()> {
    if may(user.role, Action::ManageAccounts) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

async fn find(tx: &mut Tx, id: i64) -> Result<Account> {
    // Row-level security keeps this inside the district; platform administrators have no tenant row.
    sqlx::query_as(&format!("{SELECT} where a.id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .or_404()
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    role: String,
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "accounts/index.html")]
struct AccountListPage {
    ctx: Ctx,
    accounts: Vec<Account>,
    roles: Vec<Role>,
    role: String,
    q: String,
}

async fn list_accounts(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    require(&user)?;
    let accounts = sqlx::query_as(&format!(
        "{SELECT} where ($1 = '' or a.role = $1)
           and ($2 = '' or a.username like '%' || lower($2) || '%' or a.display_name like '%' || $2 || '%')
         order by a.disabled, a.role, a.username"
    ))
    .bind(&q.role)
    .bind(crate::db::like_literal(q.q.trim()))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(render(&AccountListPage {
        ctx,
        accounts,
        roles: Role::DISTRICT_GRANTABLE.to_vec(),
        role: q.role,
        q: q.q,
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
    let member_units =
        sqlx::query_as("select id, name from member_unit where active order by code")
            .fetch_all(&mut **tx)
            .await?;
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
    let parsed = forms::parse(&mut tx, &form, true).await?;
    let input = match parsed {
        Ok(input) => input,
        Err(errors) => return invalid(tx, ctx, None, form, errors).await,
    };
    let hash = password::hash(form.password.clone()).await;
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    // Another district's account may hold the name: row-level security hides it, the unique
    // key does not, and DO NOTHING keeps the transaction usable to show the form again.
    let created: Option<i64> = sqlx::query_scalar(
        "insert into account (tenant_id, username, display_name, password_hash, role, unit_id, member_unit_id)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict on constraint account_username_key do nothing returning id",
    )
    .bind(tenant_id)
    .bind(&input.username)
    .bind(&input.display_name)
    .bind(&hash)
    .bind(input.role.as_str())
    .bind(input.unit_id)
    .bind(input.member_unit_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = created else {
        let mut errors = FieldErrors::default();
        errors.add("username", "account.username_taken");
        return invalid(tx, ctx, None, form, errors).await;
    };
    let account = find(&mut tx, id).await?;
    let change = Change {
        tenant_id,
        action: "account.create",
        entity: "account",
        entity_id: Some(id),
        before: None,
        after: serde_json::to_value(&account).ok(),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    let location = format!("/accounts/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    tx.commit().await?;
    Ok(flash_redirect("account.created", &location))
}

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

/// Changes the name, role and scope; stale versions are refused rather than overwritten.
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
    let done = sqlx::query(
        "update account set display_name = $3, role = $4, unit_id = $5, member_unit_id = $6, version = version + 1
          where id = $1 and version = $2",
    )
    .bind(id)
    .bind(form.version.parse::<i32>().unwrap_or(0))
    .bind(&input.display_name)
    .bind(input.role.as_str())
    .bind(input.unit_id)
    .bind(input.member_unit_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        let mut errors = FieldErrors::default();
        errors.add("form", "form.conflict");
        let current = before.clone();
        let form = AccountForm::from_account(&current);
        return invalid(tx, ctx, Some(current), form, errors)
            .await
            .map(|r| with_status(r, StatusCode::CONFLICT));
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
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    // A new role or scope takes effect at once: the sessions resolve it on every request.
    Ok(flash_redirect("account.saved", &format!("/accounts/{id}")))
}

fn with_status(mut res: Response, status: StatusCode) -> Response {
    *res.status_mut() = status;
    res
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

/// Disabling ends the account's sessions at once.
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
        return Ok(flash_redirect("account.cannot_disable_self", &to));
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
    sqlx::query("update account set disabled = $2, version = version + 1 where id = $1")
        .bind(id)
        .bind(disabled)
        .execute(&mut *tx)
        .await?;
    let action = if disabled {
        "account.disable"
    } else {
        "account.enable"
    };
    let change = Change {
        tenant_id: user.tenant()?,
        action,
        entity: "account",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "disabled": account.disabled })),
        after: Some(serde_json::json!({ "disabled": disabled })),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    if disabled {
        session::end_all_for(&mut tx, id, None).await?;
    }
    tx.commit().await?;
    Ok(flash_redirect(
        if disabled {
            "account.disabled_done"
        } else {
            "account.enabled_done"
        },
        &to,
    ))
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
    sqlx::query("update account set password_hash = $2, password_changed_at = now() where id = $1")
        .bind(id)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    let change = Change {
        tenant_id: user.tenant()?,
        action: "account.password_reset",
        entity: "account",
        entity_id: Some(id),
        before: None,
        after: None,
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    session::end_all_for(&mut tx, id, None).await?;
    tx.commit().await?;
    Ok(flash_redirect(
        "account.password_reset",
        &format!("/accounts/{id}"),
    ))
}
