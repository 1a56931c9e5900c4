//! Registering oneself (`/join/{district}`, no account): the least the registry needs, each
//! field saying why, a consent that must be ticked, a honeypot and a limit per address; the
//! application goes to the town school chosen, which accepts it, asks for more or declines it
//! with a reason (the person's page, `/educators?status=applications`).

use super::forms::{Choices, EducatorForm};
use super::model::{AVAILABILITY, GENDERS};
use super::people::{duplicate_of, seal};
use super::repo::{self, Registration};
use crate::audit::{Actor, Change};
use crate::error::Result;
use crate::state::AppState;
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::tx::PublicTx;
use crate::web::{Ctx, once, render, render_with};
use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::Response;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

/// Applications one address may send a day.
const PER_ADDRESS_PER_DAY: i64 = 3;

/// What a person registering themselves may be: not a manager, which is a staff role.
const SELF_KINDS: [&str; 3] = ["teacher", "volunteer", "teacher_volunteer"];

#[derive(Template)]
#[template(path = "educators/apply.html")]
struct ApplyPage {
    ctx: Ctx,
    district: String,
    code: String,
    form: EducatorForm,
    errors: FieldErrors,
    choices: Choices,
    kinds: &'static [&'static str],
    genders: &'static [&'static str],
    availability: &'static [&'static str],
    consent: bool,
    done: bool,
}

/// The choices of the public form: every town school, and the district's specialties.
async fn public_choices(tx: &mut crate::db::Tx) -> Result<Choices> {
    let homes: Vec<repo::UnitChoice> = repo::homes(tx)
        .await?
        .into_iter()
        .filter(|h| h.kind == "town_school")
        .collect();
    Ok(Choices {
        specialties: repo::specialties(tx, false).await?,
        units: homes.clone(),
        homes,
        member_units: Vec::new(),
    })
}

pub async fn form(ctx: Ctx, public: PublicTx) -> Result<Response> {
    let PublicTx { mut tx, district } = public;
    let choices = public_choices(&mut tx).await?;
    tx.commit().await?;
    Ok(render(&ApplyPage {
        ctx,
        district: district.name,
        code: district.code,
        form: EducatorForm {
            kind: "volunteer".into(),
            ..Default::default()
        },
        errors: FieldErrors::default(),
        choices,
        kinds: &SELF_KINDS,
        genders: &GENDERS,
        availability: &AVAILABILITY,
        consent: false,
        done: false,
    }))
}

/// `POST /join/{district}`: an application, to the town school chosen.
pub async fn submit(
    ctx: Ctx,
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    public: PublicTx,
    p: Pairs,
) -> Result<Response> {
    let PublicTx { mut tx, district } = public;
    let choices = public_choices(&mut tx).await?;
    // One applies to a town school and serves there to begin with; no ID number is asked.
    let mut form = EducatorForm::from_pairs(&p);
    form.serves = vec![form.home_unit_id.clone()];
    form.id_number.clear();
    form.member_unit_id.clear();
    let consent = p.get("consent") == "yes";
    let page = |ctx, form, errors, choices, done| ApplyPage {
        ctx,
        district: district.name.clone(),
        code: district.code.clone(),
        form,
        errors,
        choices,
        kinds: &SELF_KINDS,
        genders: &GENDERS,
        availability: &AVAILABILITY,
        consent,
        done,
    };
    if !p.get("website").is_empty() {
        // A bot filled the hidden field: thank it and keep nothing.
        tracing::warn!(district = %district.code, "application honeypot filled");
        return Ok(render(&page(
            ctx,
            EducatorForm::default(),
            FieldErrors::default(),
            choices,
            true,
        )));
    }
    let mut parsed = form.parse(&choices);
    if !SELF_KINDS.contains(&form.kind.as_str()) {
        let mut errors = parsed.err().unwrap_or_default();
        errors.add("kind", "form.choose");
        parsed = Err(errors);
    }
    if !consent {
        let mut errors = parsed.err().unwrap_or_default();
        errors.add("consent", "apply.consent_required");
        parsed = Err(errors);
    }
    let input = match parsed {
        Ok(input) => input,
        Err(errors) => {
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(ctx, form, errors, choices, false),
            ));
        }
    };
    let address = crate::auth::session::hex(&Sha256::digest(
        format!("join/{}/{}", district.code, peer.ip()).as_bytes(),
    ));
    crate::db::lock_key(&mut tx, &format!("join:{address}")).await?;
    if repo::applications_today(&mut tx, &address).await? >= PER_ADDRESS_PER_DAY {
        let mut errors = FieldErrors::default();
        errors.add("form", "apply.too_many");
        return Ok(render_with(
            StatusCode::TOO_MANY_REQUESTS,
            &page(ctx, form, errors, choices, false),
        ));
    }
    let stored = seal(&app.key, &input);
    if duplicate_of(&mut tx, &stored, None).await?.is_some() {
        // Not who holds the number: only that it is registered, and whom to ask.
        let mut errors = FieldErrors::default();
        errors.add("phone", "apply.already_registered");
        return Ok(render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(ctx, form, errors, choices, false),
        ));
    }
    if once::claim(&mut tx, &ctx, district.id).await?.is_some() {
        return Ok(render(&page(
            ctx,
            EducatorForm::default(),
            FieldErrors::default(),
            choices,
            true,
        )));
    }
    let number = repo::next_volunteer_no(&mut tx, district.id).await?;
    let registration = Registration {
        tenant_id: district.id,
        status: "applied",
        registered_by: "self",
        consent: true,
        applied_from: &address,
    };
    let id = repo::insert(&mut tx, registration, &number, &stored).await?;
    repo::record_event(
        &mut tx,
        district.id,
        "public",
        repo::NewEvent {
            educator_id: id,
            kind: "applied",
            from_status: "",
            to_status: "applied",
            note: "",
        },
    )
    .await?;
    once::created(
        &mut tx,
        &ctx,
        district.id,
        &format!("/join/{}", district.code),
    )
    .await?;
    let change = Change {
        tenant_id: district.id,
        action: "educator.apply",
        entity: "educator",
        entity_id: Some(id),
        before: None,
        after: Some(serde_json::json!({ "volunteer_no": number, "home_unit": input.home_unit_id })),
    };
    let actor = Actor {
        id: None,
        name: "public".into(),
        request_id: ctx.request_id.clone(),
    };
    crate::audit::record(&mut tx, &actor, change).await?;
    tx.commit().await?;
    Ok(render(&page(
        ctx,
        EducatorForm::default(),
        FieldErrors::default(),
        choices,
        true,
    )))
}
