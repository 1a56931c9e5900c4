//! cedu — 社区教育管理平台: the community-education platform of a district's three-tier network.

pub mod access;
pub mod accounts;
pub mod admin;
pub mod app;
pub mod audit;
pub mod auth;
pub mod bench;
pub mod cli;
pub mod committee;
pub mod config;
pub mod crypto;
pub mod cycle;
pub mod db;
pub mod demo;
pub mod demo_cycle;
pub mod demo_educators;
pub mod educators;
pub mod error;
pub mod home;
pub mod network;
pub mod platform;
pub mod reports;
pub mod scale;
pub mod state;
pub mod supervision;
pub mod web;
