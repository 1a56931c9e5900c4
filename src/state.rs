//! What every handler may reach: the database pools and the web settings. Below every area, so
//! that areas never import the application that assembles them.

use crate::config::WebConfig;
use crate::db::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub web: WebConfig,
}
