//! What every handler may reach: the database pools and the web settings. Below every area, so
//! that areas never import the application that assembles them.

use crate::config::WebConfig;
use crate::crypto::DataKey;
use crate::db::Db;
use crate::ops::schedule::Backups;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub web: WebConfig,
    /// The key of encrypted columns (ID numbers).
    pub key: Arc<DataKey>,
    /// The backups this process takes (the embedded default's), for the platform's page.
    pub backups: Arc<Backups>,
}
