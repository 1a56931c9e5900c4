//! An activity of the action plan as typed, in its form or in a row of the lists' workbook,
//! and its checks; money typed in yuan.

use super::{labels, one_of, populations};
use crate::cycle::model::{PERIODS, PLAN_CATEGORIES, POPULATIONS, PlanInput, yuan};
use crate::cycle::repo::plans::PlanItem;
use crate::reports::xlsx_in::{RawRow, by_label, list_by_label};
use crate::web::forms::{FieldErrors, Pairs, count, fen, text};
use crate::web::save::Compared;

/// The workbook's plan sheet: each form field and the column (a catalogue key) it is in.
pub const PLAN_SHEET: [(&str, &str); 11] = [
    ("title", "plan.title"),
    ("category", "item.category"),
    ("populations", "item.populations"),
    ("period", "plan.period"),
    ("place", "plan.place"),
    ("participants", "plan.participants"),
    ("budget_government", "plan.budget_government"),
    ("budget_donation", "plan.budget_donation"),
    ("budget_learners", "plan.budget_learners"),
    ("budget_other", "plan.budget_other"),
    ("responsible", "plan.responsible"),
];

#[derive(Debug, Clone, Default)]
pub struct PlanForm {
    pub title: String,
    pub category: String,
    pub populations: Vec<String>,
    pub period: String,
    pub place: String,
    pub participants: String,
    pub budget_government: String,
    pub budget_donation: String,
    pub budget_learners: String,
    pub budget_other: String,
    pub responsible: String,
    pub version: i32,
}

impl PlanForm {
    /// A new activity's form: for the whole year unless said otherwise.
    pub fn blank() -> Self {
        Self {
            period: "Y".into(),
            ..Default::default()
        }
    }

    pub fn from_pairs(p: &Pairs) -> Self {
        Self {
            title: p.get("title"),
            category: p.get("category"),
            populations: p.all("populations"),
            period: p.get("period"),
            place: p.get("place"),
            participants: p.get("participants"),
            budget_government: p.get("budget_government"),
            budget_donation: p.get("budget_donation"),
            budget_learners: p.get("budget_learners"),
            budget_other: p.get("budget_other"),
            responsible: p.get("responsible"),
            version: p.get("version").parse().unwrap_or(0),
        }
    }

    pub fn from_item(p: &PlanItem) -> Self {
        Self {
            title: p.title.clone(),
            category: p.category.clone(),
            populations: p.populations.clone(),
            period: p.period.clone(),
            place: p.place.clone(),
            participants: p.participants_text(),
            budget_government: yuan(p.budget_government),
            budget_donation: yuan(p.budget_donation),
            budget_learners: yuan(p.budget_learners),
            budget_other: yuan(p.budget_other),
            responsible: p.responsible.clone(),
            version: p.version,
        }
    }

    /// A row of the workbook, its choices written as labels.
    pub fn from_sheet(r: &RawRow) -> Self {
        Self {
            title: r.get("plan.title"),
            category: by_label(&r.get("item.category"), "plan", &PLAN_CATEGORIES)
                .map_or_else(|| r.get("item.category"), str::to_string),
            populations: list_by_label(&r.get("item.populations"), "population", &POPULATIONS),
            period: by_label(&r.get("plan.period"), "period", &PERIODS)
                .map_or_else(|| r.get("plan.period"), str::to_string),
            place: r.get("plan.place"),
            participants: r.get("plan.participants"),
            budget_government: r.get("plan.budget_government"),
            budget_donation: r.get("plan.budget_donation"),
            budget_learners: r.get("plan.budget_learners"),
            budget_other: r.get("plan.budget_other"),
            responsible: r.get("plan.responsible"),
            version: 0,
        }
    }

    pub fn has(&self, population: &str) -> bool {
        self.populations.iter().any(|p| p == population)
    }

    pub fn parse(&self) -> Result<PlanInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let input = PlanInput {
            title: text(&mut e, "title", &self.title, true, 100),
            category: one_of(&mut e, "category", &self.category, &PLAN_CATEGORIES),
            populations: populations(&mut e, &self.populations),
            period: one_of(&mut e, "period", &self.period, &PERIODS),
            place: text(&mut e, "place", &self.place, false, 100),
            participants: count(&mut e, "participants", &self.participants),
            budget: [
                fen(&mut e, "budget_government", &self.budget_government),
                fen(&mut e, "budget_donation", &self.budget_donation),
                fen(&mut e, "budget_learners", &self.budget_learners),
                fen(&mut e, "budget_other", &self.budget_other),
            ],
            responsible: text(&mut e, "responsible", &self.responsible, true, 50),
        };
        e.into_result(input)
    }

    /// What was typed beside what is saved, for a stale save's conflict page; choices by their
    /// labels (`tr`).
    pub fn compare(&self, saved: &PlanItem, tr: impl Fn(&str) -> String) -> Vec<Compared> {
        vec![
            Compared::new("plan.title", &self.title, &saved.title),
            Compared::new(
                "item.category",
                tr(&format!("plan.{}", self.category)),
                tr(&saved.category_label()),
            ),
            Compared::new(
                "item.populations",
                labels(&tr, "population", &self.populations),
                labels(&tr, "population", &saved.populations),
            ),
            Compared::new(
                "plan.period",
                tr(&format!("period.{}", self.period)),
                tr(&saved.period_label()),
            ),
            Compared::new("plan.place", &self.place, &saved.place),
            Compared::new(
                "plan.participants",
                &self.participants,
                saved.participants_text(),
            ),
            Compared::new(
                "plan.budget_government",
                &self.budget_government,
                yuan(saved.budget_government),
            ),
            Compared::new(
                "plan.budget_donation",
                &self.budget_donation,
                yuan(saved.budget_donation),
            ),
            Compared::new(
                "plan.budget_learners",
                &self.budget_learners,
                yuan(saved.budget_learners),
            ),
            Compared::new(
                "plan.budget_other",
                &self.budget_other,
                yuan(saved.budget_other),
            ),
            Compared::new("plan.responsible", &self.responsible, &saved.responsible),
        ]
    }
}
