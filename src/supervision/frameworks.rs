//! Indicator frameworks: a tree of indicators with maximum scores, guidance, expected evidence
//! and optionally a computed metric; versioned by year, copied, or adopted from the platform's
//! shared template.

use super::model::{self, Indicator, METRICS};
use super::{repo, require_supervise};
use crate::audit::{self, Actor, Change};
use crate::auth::session::CurrentUser;
use crate::db::{Tx, violates};
use crate::error::{OrNotFound, Result};
use crate::state::AppState;
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs, text};
use crate::web::once;
use crate::web::{Ctx, flash_redirect, render, render_with};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/supervision/frameworks", post(adopt_template))
        .route(
            "/supervision/frameworks/{id}",
            get(show_framework).post(add_indicator),
        )
        .route("/supervision/frameworks/{id}/copy", post(copy_framework))
        .route(
            "/supervision/frameworks/{id}/indicators/{ind}/delete",
            post(delete_indicator),
        )
}

#[derive(Template)]
#[template(path = "supervision/framework.html")]
struct FrameworkPage {
    ctx: Ctx,
    f: repo::Framework,
    indicators: Vec<Indicator>,
    problems: Vec<String>,
    p: Pairs,
    errors: FieldErrors,
    metrics: &'static [&'static str],
}

async fn framework_page(
    tx: &mut Tx,
    ctx: Ctx,
    id: i64,
    p: Pairs,
    errors: FieldErrors,
) -> Result<FrameworkPage> {
    let f = repo::framework(tx, id).await?.or_404()?;
    let indicators = repo::indicators(tx, id).await?;
    let problems = model::weight_problems(&indicators);
    Ok(FrameworkPage {
        ctx,
        f,
        indicators,
        problems,
        p,
        errors,
        metrics: &METRICS,
    })
}

async fn show_framework(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    require_supervise(&user)?;
    let page = framework_page(&mut tx, ctx, id, Pairs::default(), FieldErrors::default()).await?;
    tx.commit().await?;
    Ok(render(&page))
}

/// Adds an indicator under a parent (by code), refused once a round uses the framework.
async fn add_indicator(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    require_supervise(&user)?;
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let f = repo::framework(&mut tx, id).await?.or_404()?;
    let existing = repo::indicators(&mut tx, id).await?;
    let mut e = FieldErrors::default();
    if f.rounds > 0 {
        e.add("code", "framework.in_use");
    }
    let code = text(&mut e, "code", &p.get("code"), true, 20);
    let valid_code =
        code.split('.').all(|part| part.parse::<u32>().is_ok()) && code.split('.').count() <= 3;
    if !code.is_empty() && !valid_code {
        e.add("code", "framework.code_format");
    }
    let parent_code = code.rsplit_once('.').map(|(p, _)| p.to_string());
    let parent = parent_code
        .as_ref()
        .and_then(|pc| existing.iter().find(|i| &i.code == pc));
    if valid_code && parent_code.is_some() && parent.is_none() {
        e.add("code", "framework.parent_missing");
    }
    let name = text(&mut e, "name", &p.get("name"), true, 100);
    let max = p
        .get("max_score")
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|m| *m > 0.0 && *m <= 100.0);
    if max.is_none() {
        e.add("max_score", "framework.max_format");
    }
    let metric = Some(p.get("metric")).filter(|m| !m.is_empty());
    if metric.as_deref().is_some_and(|m| !METRICS.contains(&m)) {
        e.add("metric", "form.choose");
    }
    let guidance = text(&mut e, "guidance", &p.get("guidance"), false, 1000);
    let evidence = text(&mut e, "evidence", &p.get("evidence"), false, 500);
    let (Some(max), true) = (max, e.is_empty()) else {
        let page = framework_page(&mut tx, ctx, id, p, e).await?;
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let inserted = sqlx::query(
        "insert into indicator (tenant_id, framework_id, parent_id, code, name, max_score, guidance, evidence, metric)
         values ($1, $2, $3, $4, $5, $6::numeric, $7, $8, $9)",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(parent.map(|p| p.id))
    .bind(&code)
    .bind(&name)
    .bind(max)
    .bind(&guidance)
    .bind(&evidence)
    .bind(&metric)
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(err) if violates(&err, "indicator_code_once") => {
            e.add("code", "framework.code_taken");
            let page = framework_page(&mut tx, ctx, id, p, e).await?;
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
        Err(err) => return Err(err.into()),
    }
    let change = Change {
        tenant_id,
        action: "framework.indicator_add",
        entity: "framework",
        entity_id: Some(id),
        before: None,
        after: Some(
            serde_json::json!({ "code": code, "name": name, "max": max, "metric": metric }),
        ),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    let location = format!("/supervision/frameworks/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    tx.commit().await?;
    Ok(flash_redirect("framework.saved", &location))
}

async fn delete_indicator(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path((id, ind)): Path<(i64, i64)>,
) -> Result<Response> {
    require_supervise(&user)?;
    let tenant_id = user.tenant()?;
    let f = repo::framework(&mut tx, id).await?.or_404()?;
    let to = format!("/supervision/frameworks/{id}");
    if f.rounds > 0 {
        return Ok(flash_redirect("framework.in_use", &to));
    }
    let (code, name, has_children): (String, String, bool) = sqlx::query_as(
        "select i.code, i.name, exists (select 1 from indicator c where c.parent_id = i.id)
           from indicator i where i.id = $1 and i.framework_id = $2",
    )
    .bind(ind)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .or_404()?;
    if has_children {
        return Ok(flash_redirect("framework.has_children", &to));
    }
    let c = Confirm {
        title: "framework.confirm_delete",
        what: "framework.confirm_delete_what",
        subject: format!("{code} {name}"),
        back: to.clone(),
    };
    if let Some(page) = confirm::ask(&ctx, c) {
        return Ok(page);
    }
    sqlx::query("delete from indicator where id = $1 and framework_id = $2")
        .bind(ind)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let change = Change {
        tenant_id,
        action: "framework.indicator_delete",
        entity: "framework",
        entity_id: Some(id),
        before: Some(serde_json::json!({ "code": code })),
        after: None,
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    tx.commit().await?;
    Ok(flash_redirect("framework.saved", &to))
}

/// Copies indicators (with their tree) into a framework.
async fn copy_indicators(
    tx: &mut Tx,
    tenant_id: i64,
    to: i64,
    indicators: &[Indicator],
) -> sqlx::Result<()> {
    let mut ids = std::collections::HashMap::new();
    for i in indicators {
        let parent = i.parent_id.and_then(|p| ids.get(&p).copied());
        let new_id: i64 = sqlx::query_scalar(
            "insert into indicator (tenant_id, framework_id, parent_id, code, name, max_score, guidance, evidence, metric)
             values ($1, $2, $3, $4, $5, $6::numeric, $7, $8, $9) returning id",
        )
        .bind(tenant_id)
        .bind(to)
        .bind(parent)
        .bind(&i.code)
        .bind(&i.name)
        .bind(i.max_score)
        .bind(&i.guidance)
        .bind(&i.evidence)
        .bind(&i.metric)
        .fetch_one(&mut **tx)
        .await?;
        ids.insert(i.id, new_id);
    }
    Ok(())
}

fn year_of(p: &Pairs, e: &mut FieldErrors) -> Option<i32> {
    let year = p
        .get("year")
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        e.add("year", "designation.year_format");
    }
    year
}

/// `POST /supervision/frameworks/{id}/copy`: next year's framework starts as a copy.
async fn copy_framework(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    require_supervise(&user)?;
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let f = repo::framework(&mut tx, id).await?.or_404()?;
    let mut e = FieldErrors::default();
    let Some(year) = year_of(&p, &mut e) else {
        let page = framework_page(&mut tx, ctx, id, p, e).await?;
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let new_id: i64 = sqlx::query_scalar(
        "insert into framework (tenant_id, year, name) values ($1, $2, $3) returning id",
    )
    .bind(tenant_id)
    .bind(year)
    .bind(format!(
        "{}（{year}）",
        f.name.split('（').next().unwrap_or(&f.name)
    ))
    .fetch_one(&mut *tx)
    .await?;
    let indicators = repo::indicators(&mut tx, id).await?;
    copy_indicators(&mut tx, tenant_id, new_id, &indicators).await?;
    let change = Change {
        tenant_id,
        action: "framework.copy",
        entity: "framework",
        entity_id: Some(new_id),
        before: None,
        after: Some(serde_json::json!({ "from": id, "year": year })),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    let location = format!("/supervision/frameworks/{new_id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    tx.commit().await?;
    Ok(flash_redirect("framework.copied", &location))
}

/// `POST /supervision/frameworks`: adopts the platform's shared template as this district's framework for a year.
async fn adopt_template(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require_supervise(&user)?;
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let mut e = FieldErrors::default();
    let Some(year) = year_of(&p, &mut e) else {
        return Ok(flash_redirect("designation.year_format", "/supervision"));
    };
    let (name, indicators): (String, serde_json::Value) =
        sqlx::query_as("select name, indicators from framework_template order by id limit 1")
            .fetch_optional(&mut *tx)
            .await?
            .or_404()?;
    let indicators: Vec<Indicator> =
        serde_json::from_value(indicators).map_err(crate::error::AppError::internal)?;
    let new_id: i64 = sqlx::query_scalar(
        "insert into framework (tenant_id, year, name) values ($1, $2, $3) returning id",
    )
    .bind(tenant_id)
    .bind(year)
    .bind(format!("{name}（{year}）"))
    .fetch_one(&mut *tx)
    .await?;
    copy_indicators(&mut tx, tenant_id, new_id, &indicators).await?;
    let change = Change {
        tenant_id,
        action: "framework.adopt",
        entity: "framework",
        entity_id: Some(new_id),
        before: None,
        after: Some(serde_json::json!({ "year": year })),
    };
    audit::record(&mut tx, &Actor::of(&user, &ctx), change).await?;
    let location = format!("/supervision/frameworks/{new_id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    tx.commit().await?;
    Ok(flash_redirect("framework.copied", &location))
}
