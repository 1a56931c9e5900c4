//! Running cedu for real: backups that restore, metrics, structured logs, health and
//! readiness. The web pages stay in their areas; what an operator runs is here.

pub mod backup;
pub mod health;
pub mod logs;
pub mod manifest;
pub mod metrics;
pub mod restore;
pub mod schedule;
