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
        if crate::db::outage::note(&e) {
            Self::Unavailable
        } else {
            Self::Internal(format!("database: {e}"))
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
