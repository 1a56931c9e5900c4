//! The guiding committee (社区教育指导委员会, 五(一), annexes 1–2): its members with their
//! committee roles and terms, and its member units with their duties and contacts. The
//! committee office keeps the roster.

use crate::access::{Action, may};
use crate::audit::{self, Actor, Change};
use crate::auth::session::CurrentUser;
use crate::db::{Tx, violates};
use crate::error::{AppError, OrNotFound, Result};
use crate::state::AppState;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs, date, text, text_block};
use crate::web::once;
use crate::web::{Ctx, flash_redirect, render, render_with};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Serialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/committee", get(show_committee))
        .route("/committee/members/new", get(new_member))
        .route("/committee/members", post(create_member))
        .route(
            "/committee/members/{id}",
            get(edit_member).post(update_member),
        )
        .route("/committee/members/{id}/delete", post(delete_member))
        .route("/committee/units/new", get(new_unit))
        .route("/committee/units", post(create_unit))
        .route("/committee/units/{id}", get(edit_unit).post(update_unit))
}

pub const ROLES: [&str; 4] = ["chair", "vice_chair", "member", "office_director"];

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub committee_role: String,
    pub position: String,
    pub member_unit_id: Option<i64>,
    #[serde(skip)]
    pub unit_name: Option<String>,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
    pub version: i32,
}

impl Member {
    pub fn role_label(&self) -> String {
        format!("committee.{}", self.committee_role)
    }

    pub fn term(&self) -> String {
        match (self.term_start, self.term_end) {
            (None, None) => String::new(),
            (s, e) => format!(
                "{} — {}",
                s.map(|d| d.to_string()).unwrap_or_default(),
                e.map(|d| d.to_string()).unwrap_or_default()
            ),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct MemberUnit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub duties: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub active: bool,
    pub version: i32,
}

fn require(user: &CurrentUser, action: Action) -> Result<()> {
    if may(user.role, action) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

const MEMBERS: &str = "select c.id, c.name, c.committee_role, c.position, c.member_unit_id, m.name as unit_name, c.term_start, c.term_end, c.version
   from committee_member c left join member_unit m on m.tenant_id = c.tenant_id and m.id = c.member_unit_id";
const UNITS: &str =
    "select id, code, name, duties, contact_name, contact_phone, active, version from member_unit";

#[derive(Template)]
#[template(path = "committee/index.html")]
struct CommitteePage {
    ctx: Ctx,
    name: String,
    office_host: String,
    office_duties: String,
    members: Vec<Member>,
    units: Vec<MemberUnit>,
    can_manage: bool,
}

async fn show_committee(ctx: Ctx, user: CurrentUser, mut tx: Tx) -> Result<Response> {
    require(&user, Action::ViewCommittee)?;
    let (name, office_host, office_duties): (String, String, String) =
        sqlx::query_as("select name, office_host, office_duties from committee")
            .fetch_optional(&mut *tx)
            .await?
            .unwrap_or_default();
    let members = sqlx::query_as(&format!(
        "{MEMBERS} order by array_position(array['chair','vice_chair','member','office_director'], c.committee_role), c.id"
    ))
    .fetch_all(&mut *tx)
    .await?;
    let units = sqlx::query_as(&format!("{UNITS} order by active desc, sort, code"))
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    let can_manage = may(user.role, Action::ManageCommittee);
    Ok(render(&CommitteePage {
        ctx,
        name,
        office_host,
        office_duties,
        members,
        units,
        can_manage,
    }))
}

#[derive(Template)]
#[template(path = "committee/member_form.html")]
struct MemberFormPage {
    ctx: Ctx,
    id: Option<i64>,
    p: Pairs,
    errors: FieldErrors,
    units: Vec<(i64, String)>,
    roles: &'static [&'static str],
}

async fn member_form(
    tx: &mut Tx,
    ctx: Ctx,
    id: Option<i64>,
    p: Pairs,
    errors: FieldErrors,
) -> Result<MemberFormPage> {
    let units = sqlx::query_as("select id, name from member_unit where active order by sort, code")
        .fetch_all(&mut **tx)
        .await?;
    Ok(MemberFormPage {
        ctx,
        id,
        p,
        errors,
        units,
        roles: &ROLES,
    })
}

struct MemberInput {
    name: String,
    role: String,
    position: String,
    unit: Option<i64>,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
}

fn parse_member(p: &Pairs) -> std::result::Result<MemberInput, FieldErrors> {
    let mut e = FieldErrors::default();
    let role = p.get("committee_role");
    if !ROLES.contains(&role.as_str()) {
        e.add("committee_role", "form.choose");
    }
    let start = date(&mut e, "term_start", &p.get("term_start"), false);
    let end = date(&mut e, "term_end", &p.get("term_end"), false);
    if let (Some(s), Some(t)) = (start, end)
        && t < s
    {
        e.add("term_end", "committee.term_order");
    }
    let input = MemberInput {
        name: text(&mut e, "name", &p.get("name"), true, 50),
        role,
        position: text(&mut e, "position", &p.get("position"), false, 100),
        unit: p.get("member_unit_id").parse().ok(),
        start,
        end,
    };
    e.into_result(input)
}

async fn new_member(ctx: Ctx, user: CurrentUser, mut tx: Tx) -> Result<Response> {
    require(&user, Action::ManageCommittee)?;
    let page = member_form(
        &mut tx,
        ctx,
        None,
        Pairs(vec![("committee_role".into(), "member".into())]),
        FieldErrors::default(),
    )
    .await?;
    tx.commit().await?;
    Ok(render(&page))
}

async fn create_member(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require(&user, Action::ManageCommittee)?;
    let i = match parse_member(&p) {
        Ok(i) => i,
        Err(errors) => {
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &member_form(&mut tx, ctx, None, p, errors).await?,
            ));
        }
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let id: i64 = sqlx::query_scalar(
        "insert into committee_member (tenant_id, name, committee_role, position, member_unit_id, term_start, term_end)
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(tenant_id)
    .bind(&i.name)
    .bind(&i.role)
    .bind(&i.position)
    .bind(i.unit)
    .bind(i.start)
    .bind(i.end)
    .fetch_one(&mut *tx)
    .await?;
    let after = sqlx::query_as::<_, Member>(&format!("{MEMBERS} where c.id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let change = Change {
        tenant_id,
        action: "committee_member.create",
        entity: "committee_member",
        entity_id: Some(id),
        before: None,
        after: serde_json::to_value(&after).ok(),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    let location = "/committee".to_string();
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    tx.commit().await?;
    Ok(flash_redirect("committee.saved", &location))
}

fn member_pairs(m: &Member) -> Pairs {
    let d = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    Pairs(vec![
        ("name".into(), m.name.clone()),
        ("committee_role".into(), m.committee_role.clone()),
        ("position".into(), m.position.clone()),
        (
            "member_unit_id".into(),
            m.member_unit_id.map(|i| i.to_string()).unwrap_or_default(),
        ),
        ("term_start".into(), d(m.term_start)),
        ("term_end".into(), d(m.term_end)),
        ("version".into(), m.version.to_string()),
    ])
}

async fn edit_member(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    require(&user, Action::ManageCommittee)?;
    let m: Member = sqlx::query_as(&format!("{MEMBERS} where c.id = $1"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .or_404()?;
    let page = member_form(
        &mut tx,
        ctx,
        Some(id),
        member_pairs(&m),
        FieldErrors::default(),
    )
    .await?;
    tx.commit().await?;
    Ok(render(&page))
}

async fn update_member(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    require(&user, Action::ManageCommittee)?;
    let before: Member = sqlx::query_as(&format!("{MEMBERS} where c.id = $1"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .or_404()?;
    let i = match parse_member(&p) {
        Ok(i) => i,
        Err(errors) => {
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &member_form(&mut tx, ctx, Some(id), p, errors).await?,
            ));
        }
    };
    let done = sqlx::query(
        "update committee_member set name = $3, committee_role = $4, position = $5, member_unit_id = $6, term_start = $7,
                term_end = $8, version = version + 1 where id = $1 and version = $2",
    )
    .bind(id)
    .bind(p.get("version").parse::<i32>().unwrap_or(0))
    .bind(&i.name)
    .bind(&i.role)
    .bind(&i.position)
    .bind(i.unit)
    .bind(i.start)
    .bind(i.end)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        let mut errors = FieldErrors::default();
        errors.add("form", "form.conflict");
        let page = member_form(&mut tx, ctx, Some(id), member_pairs(&before), errors).await?;
        return Ok(render_with(StatusCode::CONFLICT, &page));
    }
    let after = sqlx::query_as::<_, Member>(&format!("{MEMBERS} where c.id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let tenant_id = user.tenant()?;
    let change = Change {
        tenant_id,
        action: "committee_member.update",
        entity: "committee_member",
        entity_id: Some(id),
        before: serde_json::to_value(&before).ok(),
        after: serde_json::to_value(&after).ok(),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect("committee.saved", "/committee"))
}

async fn delete_member(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    require(&user, Action::ManageCommittee)?;
    let before: Member = sqlx::query_as(&format!("{MEMBERS} where c.id = $1"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .or_404()?;
    let c = Confirm {
        title: "committee.confirm_delete",
        what: "committee.confirm_delete_what",
        subject: before.name.clone(),
        back: format!("/committee/members/{id}"),
    };
    if let Some(page) = confirm::ask(&ctx, c) {
        return Ok(page);
    }
    sqlx::query("delete from committee_member where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let change = Change {
        tenant_id: user.tenant()?,
        action: "committee_member.delete",
        entity: "committee_member",
        entity_id: Some(id),
        before: serde_json::to_value(&before).ok(),
        after: None,
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect("committee.removed", "/committee"))
}

#[derive(Template)]
#[template(path = "committee/unit_form.html")]
struct UnitFormPage {
    ctx: Ctx,
    id: Option<i64>,
    p: Pairs,
    errors: FieldErrors,
}

struct UnitInput {
    code: String,
    name: String,
    duties: String,
    contact_name: String,
    contact_phone: String,
    active: bool,
}

fn parse_unit(p: &Pairs) -> std::result::Result<UnitInput, FieldErrors> {
    let mut e = FieldErrors::default();
    let code = text(&mut e, "code", &p.get("code"), true, 32);
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        e.add("code", "unit.code_format");
    }
    let input = UnitInput {
        code,
        name: text(&mut e, "name", &p.get("name"), true, 100),
        duties: text_block(&mut e, "duties", &p.get("duties"), false, 2000),
        contact_name: text(&mut e, "contact_name", &p.get("contact_name"), false, 50),
        contact_phone: text(&mut e, "contact_phone", &p.get("contact_phone"), false, 30),
        active: p.get("active") != "0",
    };
    e.into_result(input)
}

async fn new_unit(ctx: Ctx, user: CurrentUser, tx: Tx) -> Result<Response> {
    require(&user, Action::ManageCommittee)?;
    tx.commit().await?;
    Ok(render(&UnitFormPage {
        ctx,
        id: None,
        p: Pairs::default(),
        errors: FieldErrors::default(),
    }))
}

async fn create_unit(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require(&user, Action::ManageCommittee)?;
    let i = match parse_unit(&p) {
        Ok(i) => i,
        Err(errors) => {
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &UnitFormPage {
                    ctx,
                    id: None,
                    p,
                    errors,
                },
            ));
        }
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let created = sqlx::query_scalar::<_, i64>(
        "insert into member_unit (tenant_id, code, name, duties, contact_name, contact_phone, active, sort)
         values ($1, $2, $3, $4, $5, $6, $7, (select coalesce(max(sort), 0) + 1 from member_unit)) returning id",
    )
    .bind(tenant_id)
    .bind(&i.code)
    .bind(&i.name)
    .bind(&i.duties)
    .bind(&i.contact_name)
    .bind(&i.contact_phone)
    .bind(i.active)
    .fetch_one(&mut *tx)
    .await;
    let id = match created {
        Ok(id) => id,
        Err(e) if violates(&e, "member_unit_code_key") => {
            let mut errors = FieldErrors::default();
            errors.add("code", "unit.code_taken");
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &UnitFormPage {
                    ctx,
                    id: None,
                    p,
                    errors,
                },
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let after = sqlx::query_as::<_, MemberUnit>(&format!("{UNITS} where id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let change = Change {
        tenant_id,
        action: "member_unit.create",
        entity: "member_unit",
        entity_id: Some(id),
        before: None,
        after: serde_json::to_value(&after).ok(),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    let location = "/committee".to_string();
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    tx.commit().await?;
    Ok(flash_redirect("committee.saved", &location))
}

fn unit_pairs(u: &MemberUnit) -> Pairs {
    Pairs(vec![
        ("code".into(), u.code.clone()),
        ("name".into(), u.name.clone()),
        ("duties".into(), u.duties.clone()),
        ("contact_name".into(), u.contact_name.clone()),
        ("contact_phone".into(), u.contact_phone.clone()),
        ("active".into(), if u.active { "1" } else { "0" }.into()),
        ("version".into(), u.version.to_string()),
    ])
}

async fn edit_unit(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    require(&user, Action::ManageCommittee)?;
    let u: MemberUnit = sqlx::query_as(&format!("{UNITS} where id = $1"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .or_404()?;
    tx.commit().await?;
    Ok(render(&UnitFormPage {
        ctx,
        id: Some(id),
        p: unit_pairs(&u),
        errors: FieldErrors::default(),
    }))
}

async fn update_unit(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    require(&user, Action::ManageCommittee)?;
    let before: MemberUnit = sqlx::query_as(&format!("{UNITS} where id = $1"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .or_404()?;
    let i = match parse_unit(&p) {
        Ok(i) => i,
        Err(errors) => {
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &UnitFormPage {
                    ctx,
                    id: Some(id),
                    p,
                    errors,
                },
            ));
        }
    };
    let done = sqlx::query(
        "update member_unit set code = $3, name = $4, duties = $5, contact_name = $6, contact_phone = $7, active = $8, version = version + 1
          where id = $1 and version = $2",
    )
    .bind(id)
    .bind(p.get("version").parse::<i32>().unwrap_or(0))
    .bind(&i.code)
    .bind(&i.name)
    .bind(&i.duties)
    .bind(&i.contact_name)
    .bind(&i.contact_phone)
    .bind(i.active)
    .execute(&mut *tx)
    .await;
    match done {
        Ok(d) if d.rows_affected() == 1 => {}
        Ok(_) => {
            let mut errors = FieldErrors::default();
            errors.add("form", "form.conflict");
            return Ok(render_with(
                StatusCode::CONFLICT,
                &UnitFormPage {
                    ctx,
                    id: Some(id),
                    p: unit_pairs(&before),
                    errors,
                },
            ));
        }
        Err(e) if violates(&e, "member_unit_code_key") => {
            let mut errors = FieldErrors::default();
            errors.add("code", "unit.code_taken");
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &UnitFormPage {
                    ctx,
                    id: Some(id),
                    p,
                    errors,
                },
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let after = sqlx::query_as::<_, MemberUnit>(&format!("{UNITS} where id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let change = Change {
        tenant_id: user.tenant()?,
        action: "member_unit.update",
        entity: "member_unit",
        entity_id: Some(id),
        before: serde_json::to_value(&before).ok(),
        after: serde_json::to_value(&after).ok(),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect("committee.saved", "/committee"))
}
