//! Campaigns: the lifelong-learning week (全民终身学习活动周, which follows the national week's
//! dates), reading campaigns (书香社区, 阅读周) and those the bureau names; units tag their
//! activities to one, and its page counts them live by town and key population.

use super::forms::CampaignForm;
use super::model::CAMPAIGN_KINDS;
use super::repo::campaigns::{self, Campaign, Count};
use super::require;
use crate::access::{Action, may};
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{OrNotFound, Result};
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::list::ListQuery;
use crate::web::save::{self, Conflict};
use crate::web::{Ctx, once, render, render_with, today};
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;

#[derive(Template)]
#[template(path = "activities/campaigns.html")]
struct ListPage {
    ctx: Ctx,
    campaigns: Vec<Campaign>,
    year: Option<i32>,
    years: Vec<i32>,
    can_manage: bool,
}

impl ListPage {
    /// Whether year `y` is the one shown.
    fn picked(&self, y: &i32) -> bool {
        self.year == Some(*y)
    }
}

/// `GET /campaigns?year=`: the campaigns of a year (every year for `all`), with their counts.
pub async fn list(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    require(&user, Action::ViewActivities)?;
    let now = today().year();
    let year = match query.get("year") {
        "all" => None,
        y => Some(
            y.parse()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .unwrap_or(now),
        ),
    };
    let list = campaigns::campaigns(&mut tx, year).await?;
    tx.commit().await?;
    Ok(render(&ListPage {
        ctx,
        campaigns: list,
        year,
        years: (now - 4..=now + 1).rev().collect(),
        can_manage: may(user.role, Action::ManageCampaigns),
    }))
}

#[derive(Template)]
#[template(path = "activities/campaign_form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: CampaignForm,
    errors: FieldErrors,
    kinds: &'static [&'static str],
}

fn form_page(ctx: Ctx, id: Option<i64>, form: CampaignForm, errors: FieldErrors) -> FormPage {
    FormPage {
        ctx,
        id,
        form,
        errors,
        kinds: &CAMPAIGN_KINDS,
    }
}

pub async fn new_form(ctx: Ctx, user: CurrentUser) -> Result<Response> {
    require(&user, Action::ManageCampaigns)?;
    let form = CampaignForm {
        kind: "learning_week".into(),
        year: today().year().to_string(),
        ..Default::default()
    };
    Ok(render(&form_page(ctx, None, form, FieldErrors::default())))
}

/// The form checked, the name free for its kind and year. One district's campaign saves wait
/// for each other from here, so two saving the same name at once get the field's message, not
/// the unique key's error.
async fn checked(
    tx: &mut Tx,
    tenant_id: i64,
    form: &CampaignForm,
    except: Option<i64>,
) -> Result<std::result::Result<super::model::CampaignInput, FieldErrors>> {
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => return Ok(Err(errors)),
    };
    crate::db::lock_key(tx, &format!("campaign_name:{tenant_id}")).await?;
    if campaigns::campaign_taken(tx, &input, except).await? {
        let mut errors = FieldErrors::default();
        errors.add("name", "campaign.taken");
        return Ok(Err(errors));
    }
    Ok(Ok(input))
}

pub async fn create(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require(&user, Action::ManageCampaigns)?;
    let form = CampaignForm::from_pairs(&p);
    let input = match checked(&mut tx, user.tenant()?, &form, None).await? {
        Ok(input) => input,
        Err(errors) => {
            let page = form_page(ctx, None, form, errors);
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let tenant_id = user.tenant()?;
    if let Some(done) = once::claim(&mut tx, &ctx, tenant_id).await? {
        return Ok(done);
    }
    let id = campaigns::insert_campaign(&mut tx, tenant_id, &input).await?;
    let location = format!("/campaigns/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    let after = campaigns::campaign(&mut tx, id).await?;
    let change = Change {
        tenant_id,
        action: "campaign.create",
        entity: "campaign",
        entity_id: Some(id),
        before: None,
        after: after.and_then(|c| serde_json::to_value(c).ok()),
    };
    save::done(tx, &ctx, &user, change, "campaign.saved", &location).await
}

#[derive(Template)]
#[template(path = "activities/campaign.html")]
struct ShowPage {
    ctx: Ctx,
    c: Campaign,
    towns: Vec<Count>,
    populations: Vec<Count>,
    can_manage: bool,
    can_record: bool,
}

impl ShowPage {
    fn chart(&self) -> String {
        let max = self.towns.iter().map(|t| t.participants).max().unwrap_or(0) as f64;
        let rows: Vec<(String, f64, String)> = self
            .towns
            .iter()
            .map(|t| {
                (
                    t.label.clone(),
                    t.participants as f64,
                    t.participants.to_string(),
                )
            })
            .collect();
        crate::reports::svg::bars(self.ctx.t("campaign.chart"), &rows, max)
    }

    fn totals(&self) -> (i64, i64, i64) {
        self.towns.iter().fold((0, 0, 0), |(a, s, p), t| {
            (a + t.activities, s + t.sessions_held, p + t.participants)
        })
    }
}

pub async fn show(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    require(&user, Action::ViewActivities)?;
    let c = campaigns::campaign(&mut tx, id).await?.or_404()?;
    let towns = campaigns::by_town(&mut tx, id).await?;
    let populations = campaigns::by_population(&mut tx, id).await?;
    tx.commit().await?;
    Ok(render(&ShowPage {
        ctx,
        c,
        towns,
        populations,
        can_manage: may(user.role, Action::ManageCampaigns),
        can_record: may(user.role, Action::RecordActivities),
    }))
}

pub async fn edit_form(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    require(&user, Action::ManageCampaigns)?;
    let c = campaigns::campaign(&mut tx, id).await?.or_404()?;
    tx.commit().await?;
    Ok(render(&form_page(
        ctx,
        Some(id),
        CampaignForm::from_campaign(&c),
        FieldErrors::default(),
    )))
}

pub async fn update(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    require(&user, Action::ManageCampaigns)?;
    let before = campaigns::campaign(&mut tx, id).await?.or_404()?;
    let form = CampaignForm::from_pairs(&p);
    let input = match checked(&mut tx, user.tenant()?, &form, Some(id)).await? {
        Ok(input) => input,
        Err(errors) => {
            let page = form_page(ctx, Some(id), form, errors);
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let to = format!("/campaigns/{id}");
    let version = form.version.parse::<i32>().unwrap_or(0);
    if !campaigns::update_campaign(&mut tx, id, version, &input).await? {
        return Ok(save::conflict(
            &ctx,
            Conflict {
                fields: form.compare(&before),
                edit: format!("/campaigns/{id}/edit"),
                view: to,
            },
        ));
    }
    let after = campaigns::campaign(&mut tx, id).await?;
    let change = Change {
        tenant_id: user.tenant()?,
        action: "campaign.update",
        entity: "campaign",
        entity_id: Some(id),
        before: serde_json::to_value(&before).ok(),
        after: after.and_then(|c| serde_json::to_value(c).ok()),
    };
    save::done(tx, &ctx, &user, change, "campaign.saved", &to).await
}
