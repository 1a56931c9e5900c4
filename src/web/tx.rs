//! The request's one transaction, as handlers receive it. The context layer opens it with the
//! session check (so a signed-in request has its district set before any handler runs) and
//! leaves it here; a handler takes it with one of these extractors:
//!
//! - [`Tx`]: the signed-in user's district (404 for a platform administrator, who has none);
//! - [`PlatformTx`]: the platform administrator's pages;
//! - [`PublicTx`]: a public page's district, from its `{district}` path segment;
//! - [`AnyTx`]: a page about no district in particular (the public list of districts).
//!
//! A transaction no handler took is committed by the context layer: it holds nothing but the
//! session's idle clock.

use super::{Ctx, login_redirect};
use crate::access::Role;
use crate::db::{Tx, literal};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use std::sync::{Arc, Mutex};

/// Where the context layer leaves the request's transaction for a handler to take.
#[derive(Clone, Default)]
pub struct Slot(Arc<Mutex<Option<Tx>>>);

impl Slot {
    pub fn new(tx: Option<Tx>) -> Self {
        Self(Arc::new(Mutex::new(tx)))
    }

    pub fn take(&self) -> Option<Tx> {
        self.0.lock().map(|mut tx| tx.take()).unwrap_or(None)
    }
}

fn taken(parts: &Parts) -> Option<Tx> {
    parts.extensions.get::<Slot>().and_then(Slot::take)
}

fn user_role(parts: &Parts) -> Option<(Role, Option<i64>)> {
    let ctx = parts.extensions.get::<Ctx>()?;
    ctx.user.as_ref().map(|u| (u.role, u.tenant_id))
}

impl<S: Send + Sync> FromRequestParts<S> for Tx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match user_role(parts) {
            None => Err(login_redirect(
                parts.uri.path_and_query().map_or("/", |p| p.as_str()),
            )),
            Some((_, None)) => Err(AppError::NotFound.into_response()),
            Some((_, Some(_))) => taken(parts)
                .ok_or_else(|| AppError::internal("no request transaction").into_response()),
        }
    }
}

/// The platform administrator's transaction, which every district's rows are open to.
pub struct PlatformTx(pub Tx);

impl<S: Send + Sync> FromRequestParts<S> for PlatformTx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match user_role(parts) {
            Some((Role::PlatformAdmin, _)) => taken(parts)
                .map(PlatformTx)
                .ok_or_else(|| AppError::internal("no request transaction").into_response()),
            Some(_) => Err(AppError::NotFound.into_response()),
            None => Err(login_redirect(parts.uri.path())),
        }
    }
}

/// A transaction with no district set: the signed-in visitor's own if there is one (any
/// district's tables then show only theirs, which public pages do not read), else a new one.
pub struct AnyTx(pub Tx);

impl FromRequestParts<AppState> for AnyTx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, AppError> {
        match taken(parts) {
            Some(tx) => Ok(AnyTx(tx)),
            None => Ok(AnyTx(Tx::open(&app.db.app, "").await?.0)),
        }
    }
}

/// A public page's district.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct District {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// A public page's transaction with its district (the `{district}` path segment) set; an
/// unknown district is a 404. Without a session, BEGIN and the district travel together.
pub struct PublicTx {
    pub tx: Tx,
    pub district: District,
}

impl FromRequestParts<AppState> for PublicTx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, AppError> {
        let params = RawPathParams::from_request_parts(parts, app)
            .await
            .map_err(|_| AppError::NotFound)?;
        let code = params
            .iter()
            .find(|(name, _)| *name == "district")
            .map(|(_, value)| value.to_string())
            .ok_or(AppError::NotFound)?;
        let slot = parts.extensions.get::<Slot>().cloned().unwrap_or_default();
        if matches!(user_role(parts), Some((Role::PlatformAdmin, _))) {
            // The platform administrator's transaction sees every district: a public page
            // takes one of its own, bound to its district like a resident's.
            drop(slot.take());
            return PublicTx::open(app, &Slot::default(), &code).await;
        }
        PublicTx::open(app, &slot, &code).await
    }
}

impl PublicTx {
    /// The request's transaction (or a new one) with district `code` set; for handlers that
    /// must wait for something before they take a connection.
    pub async fn open(app: &AppState, slot: &Slot, code: &str) -> Result<Self, AppError> {
        let (tx, district) = match slot.take() {
            Some(mut tx) => {
                let district = sqlx::query_as("select * from enter_district($1)")
                    .bind(code)
                    .fetch_optional(&mut *tx)
                    .await?;
                (tx, district)
            }
            None => {
                let call = format!(
                    "select * from enter_district({})",
                    literal(code).ok_or(AppError::NotFound)?
                );
                let (tx, row) = Tx::open(&app.db.app, &call).await?;
                let district = row.map(|row| sqlx::FromRow::from_row(&row)).transpose()?;
                (tx, district)
            }
        };
        let district: District = district.ok_or(AppError::NotFound)?;
        Ok(PublicTx { tx, district })
    }
}
