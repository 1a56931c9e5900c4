//! The benchmark's floor: a TechEmpower-style "Fortunes" page on the same stack and pool —
//! one tenant-bound transaction, one query of a dozen rows, an askama render with escaping.
//! Compiled only with `--features bench`; otherwise this router is empty.

use crate::state::AppState;
use axum::Router;

#[cfg(not(feature = "bench"))]
pub fn router() -> Router<AppState> {
    Router::new()
}

#[cfg(feature = "bench")]
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bench/fortunes", axum::routing::get(fortunes))
        .route("/bench/checkouts", axum::routing::get(checkouts))
}

/// How many pool checkouts the server has made, for the benchmark's per-request count.
#[cfg(feature = "bench")]
async fn checkouts(axum::extract::State(app): axum::extract::State<AppState>) -> String {
    app.db.checkouts().to_string()
}

#[cfg(feature = "bench")]
#[derive(askama::Template)]
#[template(path = "bench/fortunes.html")]
struct FortunesPage {
    fortunes: Vec<(i64, String)>,
}

#[cfg(feature = "bench")]
async fn fortunes(
    axum::extract::State(app): axum::extract::State<AppState>,
) -> crate::error::Result<axum::response::Response> {
    let mut tx = app.db.begin_for(1).await?;
    let mut fortunes: Vec<(i64, String)> =
        sqlx::query_as("select id, name from member_unit order by id limit 12")
            .fetch_all(&mut *tx)
            .await?;
    tx.commit().await?;
    fortunes.push((
        0,
        "Additional fortune added at request time. <script>alert(1)</script>".into(),
    ));
    fortunes.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(crate::web::render(&FortunesPage { fortunes }))
}
