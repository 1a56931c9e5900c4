//! Keeps the embedded cluster up while `cedu serve` runs: every second it looks for the
//! postmaster, and when it is gone (killed, crashed, stopped by hand) starts the cluster again,
//! logging why. Stopped before the cluster is, so Ctrl-C never brings it back.

use super::embedded::Cluster;
use super::outage;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const EVERY: Duration = Duration::from_secs(1);

pub struct Watchdog {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Watchdog {
    pub fn spawn(cluster: Cluster) -> Self {
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(watch(cluster, stopped));
        Self { stop, task }
    }

    /// Stops watching, after any restart in progress, so the cluster can be stopped for good.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

async fn watch(cluster: Cluster, mut stopped: oneshot::Receiver<()>) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_pid = cluster.postmaster_pid();
    let mut down = false;
    loop {
        tokio::select! {
            _ = &mut stopped => return,
            _ = tick.tick() => {}
        }
        if let Some(pid) = cluster.postmaster_pid() {
            last_pid = Some(pid);
            continue;
        }
        if !down {
            down = true;
            // Pooled connections to the dead server are checked before their next use.
            outage::mark();
            tracing::error!(
                pid = last_pid.unwrap_or_default(),
                log = %cluster.log_tail(5),
                "PostgreSQL postmaster exited; restarting the cluster"
            );
        }
        let starting = cluster.clone();
        let started = tokio::task::spawn_blocking(move || starting.start())
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
        match started {
            Ok(()) => {
                down = false;
                tracing::info!("PostgreSQL cluster restarted");
            }
            Err(e) => tracing::error!(error = %e, "restarting the cluster failed; trying again"),
        }
    }
}
