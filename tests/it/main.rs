//! cedu's integration tests: real PostgreSQL, real HTTP, and a real headless Chromium.

mod access;
mod accounts;
mod audit_trail;
mod auth;
mod backup;
mod browser;
mod citus;
mod cycle;
mod designations;
mod educators;
mod embedded;
mod fuzz;
mod hardening;
mod import;
mod lists;
mod network;
mod platform;
mod request_path;
mod scale;
mod security;
mod stale;
mod submission_steps;
mod supervision;
mod support;
mod targets;
