//! Probes for an orchestrator or a load balancer: `/healthz` says the process answers (restart
//! it if not), `/readyz` that it can serve (send it traffic if so): the database answers within
//! two seconds and holds exactly the migrations this binary was built with.

use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::time::Duration;

/// How long `/readyz` waits for the database: a probe wants its answer sooner than a page.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// 200 while the process answers at all; it does not ask the database.
async fn healthz() -> &'static str {
    "ok"
}

/// 200 "ready" when the database answers in time with this binary's migrations, else 503 and why.
async fn readyz(State(app): State<AppState>) -> Response {
    let probe = async {
        let mut conn = app.db.sys.acquire().await?;
        crate::db::applied_migration(&mut conn).await
    };
    let unready = |why: String| (StatusCode::SERVICE_UNAVAILABLE, why).into_response();
    match tokio::time::timeout(READY_TIMEOUT, probe).await {
        Ok(Ok((applied, failed))) => {
            let built = crate::db::latest_migration();
            if failed {
                unready("not ready: a migration failed half-way".into())
            } else if applied < built {
                unready(format!(
                    "not ready: the database is at migration {applied}, this binary needs {built}"
                ))
            } else if applied > built {
                unready(format!(
                    "not ready: the database is at migration {applied}, newer than this binary ({built})"
                ))
            } else {
                "ready".into_response()
            }
        }
        Ok(Err(e)) => {
            if !crate::db::outage::note(&e) {
                tracing::error!(error = %e, "readiness check failed");
            }
            unready("not ready: database unavailable".into())
        }
        Err(_) => unready("not ready: database unavailable".into()),
    }
}
