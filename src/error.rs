//! One error type for handlers. Its response carries only a status; the error-page layer in
//! `web` renders it in the visitor's language, so details never reach the browser.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[derive(Debug)]
pub enum AppError {
    /// Missing, or outside the caller's scope, role or district: the same answer for both.
    NotFound,
    /// A form without a valid CSRF token.
    Forbidden,
    /// A request no page can answer, such as text PostgreSQL cannot store.
    BadRequest,
    /// The database cannot be reached (down, restarting, no connection in time): the 503 page.
    Unavailable,
    /// Anything unexpected: logged, shown as a plain 500 page.
    Internal(String),
}

impl AppError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        let unreachable = crate::db::outage::note(&e);
        crate::ops::metrics::db_error(unreachable);
        if unreachable {
            return Self::Unavailable;
        }
        // Forms and URLs are checked for control characters where they are read; this is the
        // net beneath: text the database cannot hold (NUL: 22021) is the visitor's error.
        match e.as_database_error().and_then(|d| d.code()).as_deref() {
            Some("22021" | "22P05") => Self::BadRequest,
            _ => Self::Internal(format!("database: {e}")),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        Self::Internal(format!("template: {e}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        status.into_response()
    }
}

/// Turns `None` into a 404.
pub trait OrNotFound<T> {
    fn or_404(self) -> Result<T>;
}

impl<T> OrNotFound<T> for Option<T> {
    fn or_404(self) -> Result<T> {
        self.ok_or(AppError::NotFound)
    }
}
