//! The cycle's input once its forms are checked.

use chrono::NaiveDate;

/// A checked new cycle: its year, window and the kinds of filer asked for lists.
#[derive(Debug, Clone)]
pub struct CycleInput {
    pub year: i32,
    pub window: Window,
    pub filers: Vec<String>,
}

/// A cycle's filing window, due on or after it opens.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Window {
    pub opens_on: NaiveDate,
    pub due_on: NaiveDate,
}

/// A checked resource of an inventory.
#[derive(Debug, Clone)]
pub struct ResourceInput {
    pub category: String,
    pub name: String,
    pub description: String,
    pub location_unit_id: Option<i64>,
    pub address: String,
    pub capacity: Option<i32>,
    pub opening_times: String,
    pub populations: Vec<String>,
    pub sharing: String,
    pub contact: String,
}

/// A checked activity of an action plan; the budget in fen: government, donation, learners, other.
#[derive(Debug, Clone)]
pub struct PlanInput {
    pub title: String,
    pub category: String,
    pub populations: Vec<String>,
    pub period: String,
    pub place: String,
    pub participants: Option<i32>,
    pub budget: [i64; 4],
    pub responsible: String,
}

pub use crate::web::forms::yuan;
