//! `/metrics` in the Prometheus text format, on an address of its own (`--metrics-listen`),
//! never on the public listener. The metrics facade records from wherever things happen
//! (requests here, pool waits in `db`, logins in `auth`, backups in `ops::backup`); without
//! `--metrics-listen` no recorder is installed and recording costs nothing.

use crate::db::Db;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Request and database latencies, in seconds: from a cached page to a slow export.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Backups take seconds to minutes.
const BACKUP_BUCKETS: &[f64] = &[1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0];

/// Installs the recorder for the whole process and says what each metric is.
pub fn install() -> Result<PrometheusHandle, String> {
    let handle = PrometheusBuilder::new()
        .set_buckets(LATENCY_BUCKETS)
        .and_then(|b| {
            b.set_buckets_for_metric(
                Matcher::Full("cedu_backup_duration_seconds".into()),
                BACKUP_BUCKETS,
            )
        })
        .and_then(PrometheusBuilder::install_recorder)
        .map_err(|e| format!("metrics: {e}"))?;
    describe_counter!(
        "cedu_http_requests_total",
        "HTTP requests answered, by method, route template and status"
    );
    describe_histogram!(
        "cedu_http_request_duration_seconds",
        "Time to answer an HTTP request, by method and route template"
    );
    describe_gauge!(
        "cedu_db_connections",
        "Pooled database connections, by pool and state (in_use, idle) and the pool's maximum (max)"
    );
    describe_histogram!(
        "cedu_db_acquire_seconds",
        "Time a request waited for a pooled database connection, by pool"
    );
    describe_counter!(
        "cedu_db_acquire_timeouts_total",
        "Requests that got no database connection in time, by pool"
    );
    describe_counter!(
        "cedu_db_errors_total",
        "Database errors that reached a request, by kind (unreachable, query)"
    );
    describe_counter!(
        "cedu_logins_total",
        "Login attempts, by result (succeeded, failed, locked)"
    );
    describe_counter!(
        "cedu_backups_total",
        "Backups taken, by result (ok, failed)"
    );
    describe_gauge!(
        "cedu_backup_last_success_timestamp_seconds",
        "When the last good backup finished (Unix time)"
    );
    describe_gauge!(
        "cedu_backup_last_size_bytes",
        "Size of the last good backup's dump"
    );
    describe_histogram!("cedu_backup_duration_seconds", "Time a backup took");
    describe_gauge!("cedu_build_info", "The running cedu's version");
    gauge!("cedu_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    // Shown at zero from the start, so a dashboard has a line before the first event.
    for result in ["succeeded", "failed", "locked"] {
        counter!("cedu_logins_total", "result" => result).absolute(0);
    }
    for kind in ["unreachable", "query"] {
        counter!("cedu_db_errors_total", "kind" => kind).absolute(0);
    }
    for result in ["ok", "failed"] {
        counter!("cedu_backups_total", "result" => result).absolute(0);
    }
    Ok(handle)
}

/// Serves `/metrics` on `addr` until the process ends; its histograms are kept bounded by a
/// periodic upkeep.
pub async fn serve(addr: SocketAddr, handle: PrometheusHandle, db: Db) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen for metrics on {addr}: {e}"))?;
    super::logs::say(&format!("cedu: metrics on http://{addr}/metrics"));
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            upkeep.run_upkeep();
        }
    });
    let app = Router::new()
        .route("/metrics", get(render))
        .with_state((handle, db));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "metrics listener stopped");
        }
    });
    Ok(())
}

async fn render(State((handle, db)): State<(PrometheusHandle, Db)>) -> Response {
    for pool in [&db.app, &db.sys] {
        let name = crate::db::pool_label(pool);
        let max = pool.options().get_max_connections();
        let size = f64::from(pool.size());
        let idle = pool.num_idle() as f64;
        gauge!("cedu_db_connections", "pool" => name, "state" => "in_use").set(size - idle);
        gauge!("cedu_db_connections", "pool" => name, "state" => "idle").set(idle);
        gauge!("cedu_db_connections", "pool" => name, "state" => "max").set(f64::from(max));
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        handle.render(),
    )
        .into_response()
}

/// Counts and times every request by its route template (`/units/{id}`, never the path with
/// its ids or query), outside everything else so that error pages count too.
pub async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_string();
    let method = method_label(req.method());
    let res = next.run(req).await;
    let took = started.elapsed();
    let status = res.status().as_u16().to_string();
    counter!("cedu_http_requests_total", "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    histogram!("cedu_http_request_duration_seconds", "method" => method, "route" => route.clone())
        .record(took.as_secs_f64());
    super::logs::request(&res, method, &route, took);
    res
}

/// The methods cedu answers; anything else one label, so a client cannot make new series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        _ => "other",
    }
}

/// How long a request waited for a connection from `pool` ("app" or "sys").
pub fn acquired(pool: &'static str, waited: Duration) {
    histogram!("cedu_db_acquire_seconds", "pool" => pool).record(waited.as_secs_f64());
}

pub fn acquire_timed_out(pool: &'static str) {
    counter!("cedu_db_acquire_timeouts_total", "pool" => pool).increment(1);
}

/// A database error that reached a request: the database away, or a query that failed.
pub fn db_error(unreachable: bool) {
    let kind = if unreachable { "unreachable" } else { "query" };
    counter!("cedu_db_errors_total", "kind" => kind).increment(1);
}

pub fn login(result: &'static str) {
    counter!("cedu_logins_total", "result" => result).increment(1);
}

/// A backup's end: its size and time when it worked.
pub fn backup(ok: bool, bytes: u64, took: Duration) {
    counter!("cedu_backups_total", "result" => if ok { "ok" } else { "failed" }).increment(1);
    if ok {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        gauge!("cedu_backup_last_success_timestamp_seconds").set(now);
        gauge!("cedu_backup_last_size_bytes").set(bytes as f64);
        histogram!("cedu_backup_duration_seconds").record(took.as_secs_f64());
    }
}
