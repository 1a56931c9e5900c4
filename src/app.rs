//! The application: every area's router merged, and the middleware stack.

use crate::error::AppError;
pub use crate::state::AppState;
use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware;
use axum::routing::get;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::set_header::SetResponseHeaderLayer;

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The whole application, without a socket, so tests can serve it on any port.
pub fn router(state: AppState) -> Router {
    let mut app = Router::new()
        .merge(crate::home::router())
        .merge(crate::auth::router())
        .merge(crate::network::router())
        .merge(crate::accounts::router())
        .merge(crate::audit::router())
        .merge(crate::platform::router())
        .merge(crate::reports::router())
        .merge(crate::committee::router())
        .merge(crate::cycle::router())
        .merge(crate::supervision::router())
        .merge(crate::educators::router())
        .merge(crate::activities::router())
        .merge(crate::awards::router())
        .merge(crate::notices::router())
        .merge(crate::portal::router())
        .merge(crate::library::router())
        .merge(crate::ops::health::router())
        .route("/lang/{code}", get(crate::web::switch_lang))
        .route("/static/cedu.css", get(stylesheet))
        .merge(crate::bench::router())
        .fallback(|| async { AppError::NotFound })
        .layer(axum::extract::DefaultBodyLimit::max(crate::web::BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::web::context_layer,
        ))
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_layer(header::REFERRER_POLICY, "same-origin"))
        .layer(header_layer(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header_layer(
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ))
        .layer(header_layer(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ));
    if state.web.secure_cookies {
        app = app.layer(header_layer(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000",
        ));
    }
    // Outermost: every request gets its id, its line in the log and its place in the metrics,
    // whatever the layers inside it answer.
    app.layer(middleware::from_fn_with_state(
        state.clone(),
        crate::ops::logs::request_id,
    ))
    .layer(middleware::from_fn(crate::ops::metrics::track))
    .with_state(state)
}

/// The stylesheet is built into the binary, so a release binary runs from anywhere.
async fn stylesheet() -> impl axum::response::IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/cedu.css"),
    )
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}
