//! Donations (社会捐赠): who gave, how much, when, for what use, and which activities they paid
//! for (an activity never spends more of a donation than is left of it); and each year's list
//! of donations and their use, published by the bureau for anyone to read (公益事业捐赠法
//! Art. 22) — a donor who asked not to be named appears as an anonymous donor.

use super::forms::DonationForm;
use super::model::DONOR_KINDS;
use super::repo::campaigns::{self, Donation, Use};
use super::require;
use crate::access::{Action, may};
use crate::audit::Change;
use crate::auth::session::CurrentUser;
use crate::db::Tx;
use crate::error::{OrNotFound, Result};
use crate::web::confirm::{self, Confirm};
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::list::ListQuery;
use crate::web::save::{self, Conflict};
use crate::web::tx::PublicTx;
use crate::web::{Ctx, flash_redirect, once, render, render_with, today};
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};

/// A donation with what it paid for.
pub struct Given {
    pub d: Donation,
    pub uses: Vec<Use>,
}

async fn given(tx: &mut Tx, year: i32) -> Result<Vec<Given>> {
    let donations = campaigns::donations(tx, year).await?;
    let ids: Vec<i64> = donations.iter().map(|d| d.id).collect();
    let mut uses = campaigns::uses(tx, &ids).await?;
    Ok(donations
        .into_iter()
        .map(|d| {
            let (mine, rest): (Vec<_>, Vec<_>) = uses.drain(..).partition(|(id, _)| *id == d.id);
            uses = rest;
            Given {
                d,
                uses: mine.into_iter().map(|(_, u)| u).collect(),
            }
        })
        .collect())
}

fn totals(list: &[Given]) -> (String, String) {
    let amount: i64 = list.iter().map(|g| g.d.amount).sum();
    let used: i64 = list.iter().map(|g| g.d.used).sum();
    (
        crate::web::forms::yuan(amount),
        crate::web::forms::yuan(used),
    )
}

fn year_of(query: &ListQuery) -> i32 {
    query
        .get("year")
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| today().year())
}

#[derive(Template)]
#[template(path = "activities/donations.html")]
struct ListPage {
    ctx: Ctx,
    year: i32,
    years: Vec<i32>,
    list: Vec<Given>,
    disclosed: Option<NaiveDate>,
    can_manage: bool,
}

/// `GET /donations?year=`: the year's donations and their use.
pub async fn list(ctx: Ctx, user: CurrentUser, mut tx: Tx, query: ListQuery) -> Result<Response> {
    require(&user, Action::ViewDonations)?;
    let year = year_of(&query);
    let list = given(&mut tx, year).await?;
    let disclosed = campaigns::disclosed(&mut tx, year).await?;
    tx.commit().await?;
    let now = today().year();
    Ok(render(&ListPage {
        ctx,
        year,
        years: (now - 4..=now).rev().collect(),
        list,
        disclosed,
        can_manage: may(user.role, Action::ManageDonations),
    }))
}

impl ListPage {
    fn totals(&self) -> (String, String) {
        totals(&self.list)
    }
}

#[derive(Template)]
#[template(path = "activities/donation_form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: DonationForm,
    errors: FieldErrors,
    kinds: &'static [&'static str],
}

fn form_page(ctx: Ctx, id: Option<i64>, form: DonationForm, errors: FieldErrors) -> FormPage {
    FormPage {
        ctx,
        id,
        form,
        errors,
        kinds: &DONOR_KINDS,
    }
}

pub async fn new_form(ctx: Ctx, user: CurrentUser) -> Result<Response> {
    require(&user, Action::ManageDonations)?;
    let form = DonationForm {
        donor_kind: "company".into(),
        named_publicly: "1".into(),
        received_on: today().to_string(),
        ..Default::default()
    };
    Ok(render(&form_page(ctx, None, form, FieldErrors::default())))
}

pub async fn create(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require(&user, Action::ManageDonations)?;
    let form = DonationForm::from_pairs(&p);
    let input = match form.parse(0) {
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
    let id = campaigns::insert_donation(&mut tx, tenant_id, &input).await?;
    let location = format!("/donations/{id}");
    once::created(&mut tx, &ctx, tenant_id, &location).await?;
    let after = campaigns::donation(&mut tx, id).await?;
    let change = Change {
        tenant_id,
        action: "donation.create",
        entity: "donation",
        entity_id: Some(id),
        before: None,
        after: after.and_then(|d| serde_json::to_value(d).ok()),
    };
    save::done(tx, &ctx, &user, change, "donation.saved", &location).await
}

#[derive(Template)]
#[template(path = "activities/donation.html")]
struct ShowPage {
    ctx: Ctx,
    g: Given,
    can_manage: bool,
}

pub async fn show(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    require(&user, Action::ViewDonations)?;
    let d = campaigns::donation(&mut tx, id).await?.or_404()?;
    let uses = campaigns::uses(&mut tx, &[id]).await?;
    tx.commit().await?;
    Ok(render(&ShowPage {
        ctx,
        g: Given {
            d,
            uses: uses.into_iter().map(|(_, u)| u).collect(),
        },
        can_manage: may(user.role, Action::ManageDonations),
    }))
}

pub async fn edit_form(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
) -> Result<Response> {
    require(&user, Action::ManageDonations)?;
    let d = campaigns::donation(&mut tx, id).await?.or_404()?;
    tx.commit().await?;
    Ok(render(&form_page(
        ctx,
        Some(id),
        DonationForm::from_donation(&d),
        FieldErrors::default(),
    )))
}

/// `POST /donations/{id}`: an edit; the amount may not fall below what is spent of it.
pub async fn update(
    ctx: Ctx,
    user: CurrentUser,
    mut tx: Tx,
    Path(id): Path<i64>,
    p: Pairs,
) -> Result<Response> {
    require(&user, Action::ManageDonations)?;
    let (_, used) = super::repo::donation_room(&mut tx, id, None)
        .await?
        .or_404()?;
    let before = campaigns::donation(&mut tx, id).await?.or_404()?;
    let form = DonationForm::from_pairs(&p);
    let input = match form.parse(used) {
        Ok(input) => input,
        Err(errors) => {
            let page = form_page(ctx, Some(id), form, errors);
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let to = format!("/donations/{id}");
    let version = form.version.parse::<i32>().unwrap_or(0);
    if !campaigns::update_donation(&mut tx, id, version, &input).await? {
        return Ok(save::conflict(
            &ctx,
            Conflict {
                fields: form.compare(&before),
                edit: format!("/donations/{id}/edit"),
                view: to,
            },
        ));
    }
    let after = campaigns::donation(&mut tx, id).await?;
    let change = Change {
        tenant_id: user.tenant()?,
        action: "donation.update",
        entity: "donation",
        entity_id: Some(id),
        before: serde_json::to_value(&before).ok(),
        after: after.and_then(|d| serde_json::to_value(d).ok()),
    };
    save::done(tx, &ctx, &user, change, "donation.saved", &to).await
}

/// `POST /donations/disclose` (`year`): publishes the year's list, after a confirmation.
pub async fn disclose(ctx: Ctx, user: CurrentUser, mut tx: Tx, p: Pairs) -> Result<Response> {
    require(&user, Action::ManageDonations)?;
    let year = p
        .get("year")
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .or_404()?;
    let to = format!("/donations?year={year}");
    let c = Confirm {
        title: "donation.confirm_disclose",
        what: "donation.confirm_disclose_what",
        subject: ctx.tf("donation.year_list", &[("year", &year)]),
        back: to.clone(),
    };
    if let Some(page) = confirm::ask(&ctx, c) {
        return Ok(page);
    }
    let tenant_id = user.tenant()?;
    if !campaigns::disclose(&mut tx, tenant_id, year, today(), &user.display_name).await? {
        return Ok(flash_redirect("step.not_now", &to));
    }
    let change = Change {
        tenant_id,
        action: "donation.disclose",
        entity: "donation_disclosure",
        entity_id: None,
        before: None,
        after: Some(serde_json::json!({ "year": year })),
    };
    save::done(tx, &ctx, &user, change, "donation.disclosed", &to).await
}

#[derive(Template)]
#[template(path = "public/donations.html")]
struct PublicPage {
    ctx: Ctx,
    district: String,
    code: String,
    year: i32,
    published_on: NaiveDate,
    list: Vec<Given>,
}

impl PublicPage {
    fn totals(&self) -> (String, String) {
        totals(&self.list)
    }
}

/// `GET /public/{district}/donations/{year}`: the year's donations and their use, once the
/// bureau has published them; a 404 before.
pub async fn public(
    ctx: Ctx,
    public: PublicTx,
    Path((_, year)): Path<(String, i32)>,
) -> Result<Response> {
    let PublicTx { mut tx, district } = public;
    let published_on = campaigns::disclosed(&mut tx, year).await?.or_404()?;
    let list = given(&mut tx, year).await?;
    tx.commit().await?;
    Ok(render(&PublicPage {
        ctx,
        district: district.name,
        code: district.code,
        year,
        published_on,
        list,
    }))
}
