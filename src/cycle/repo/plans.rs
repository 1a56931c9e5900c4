//! The activities of a submission's action plan as stored.

use super::items::{Item, Scalar};
use crate::cycle::model::{PlanInput, yuan};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PlanItem {
    pub id: i64,
    pub submission_id: i64,
    pub title: String,
    pub category: String,
    pub populations: Vec<String>,
    pub period: String,
    pub place: String,
    pub participants: Option<i32>,
    pub budget_government: i64,
    pub budget_donation: i64,
    pub budget_learners: i64,
    pub budget_other: i64,
    pub responsible: String,
    pub version: i32,
}

impl PlanItem {
    pub fn category_label(&self) -> String {
        format!("plan.{}", self.category)
    }

    pub fn period_label(&self) -> String {
        format!("period.{}", self.period)
    }

    pub fn budget_total(&self) -> i64 {
        self.budget_government + self.budget_donation + self.budget_learners + self.budget_other
    }

    pub fn budget_text(&self) -> String {
        yuan(self.budget_total())
    }

    pub fn participants_text(&self) -> String {
        self.participants.map(|c| c.to_string()).unwrap_or_default()
    }
}

impl Item for PlanItem {
    type Input = PlanInput;
    const TABLE: &'static str = "plan_item";
    const SELECT: &'static str = "select i.id, i.submission_id, i.title, i.category, i.populations, i.period, i.place,
        i.participants, i.budget_government, i.budget_donation, i.budget_learners, i.budget_other, i.responsible, i.version
   from plan_item i";
    const FIELDS: &'static str = "title, category, populations, period, place, participants,
        budget_government, budget_donation, budget_learners, budget_other, responsible";
    const VALUES: &'static str = "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13";

    fn fields<'q, O>(q: Scalar<'q, O>, i: &'q PlanInput) -> Scalar<'q, O> {
        q.bind(&i.title)
            .bind(&i.category)
            .bind(&i.populations)
            .bind(&i.period)
            .bind(&i.place)
            .bind(i.participants)
            .bind(i.budget[0])
            .bind(i.budget[1])
            .bind(i.budget[2])
            .bind(i.budget[3])
            .bind(&i.responsible)
    }
}
