//! The forms of awards: a programme, a nomination, a panel member's scores, a decision.

use super::model::{
    Criterion, KINDS, NOMINATORS, NOMINEE_KINDS, criteria_text, needs_approval, parse_criteria,
};
use super::repo::{Nomination, NominationInput, Programme, ProgrammeInput};
use crate::notices::forms::notice_days;
use crate::web::forms::{FieldErrors, Pairs, date, text, text_block, whole, year};
use crate::web::save::Compared;

#[derive(Debug, Default, Clone)]
pub struct ProgrammeForm {
    pub year: String,
    pub kind: String,
    pub name: String,
    pub nominee_kind: String,
    pub nominators: Vec<String>,
    pub quota: String,
    pub materials: String,
    pub criteria: String,
    pub nominations_close: String,
    pub review_close: String,
    pub notice_days: String,
    pub award_on: String,
    pub issuing_body: String,
    pub approval_no: String,
    pub version: String,
}

impl ProgrammeForm {
    pub fn from_pairs(p: &Pairs) -> Self {
        Self {
            year: p.get("year"),
            kind: p.get("kind"),
            name: p.get("name"),
            nominee_kind: p.get("nominee_kind"),
            nominators: p.all("nominators"),
            quota: p.get("quota"),
            materials: p.get("materials"),
            criteria: p.get("criteria"),
            nominations_close: p.get("nominations_close"),
            review_close: p.get("review_close"),
            notice_days: p.get("notice_days"),
            award_on: p.get("award_on"),
            issuing_body: p.get("issuing_body"),
            approval_no: p.get("approval_no"),
            version: p.get("version"),
        }
    }

    pub fn from_programme(p: &Programme) -> Self {
        Self {
            year: p.year.to_string(),
            kind: p.kind.clone(),
            name: p.name.clone(),
            nominee_kind: p.nominee_kind.clone(),
            nominators: p.nominators.clone(),
            quota: p.quota.to_string(),
            materials: p.materials.clone(),
            criteria: criteria_text(&p.criteria),
            nominations_close: p.nominations_close.to_string(),
            review_close: p.review_close.to_string(),
            notice_days: p.notice_days.to_string(),
            award_on: p.award_on.map(|d| d.to_string()).unwrap_or_default(),
            issuing_body: p.issuing_body.clone(),
            approval_no: p.approval_no.clone(),
            version: p.version.to_string(),
        }
    }

    pub fn nominates(&self, who: &str) -> bool {
        self.nominators.iter().any(|n| n == who)
    }

    /// Checks the form. `opening`: the programme is past its draft, so a commendation needs
    /// its approval number now.
    pub fn parse(&self, opening: bool) -> Result<ProgrammeInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let year = year(&mut e, "year", &self.year);
        let kind = self.kind.trim().to_string();
        if !KINDS.contains(&kind.as_str()) {
            e.add("kind", "form.choose");
        }
        let name = text(&mut e, "name", &self.name, true, 100);
        let nominee_kind = self.nominee_kind.trim().to_string();
        if !NOMINEE_KINDS.contains(&nominee_kind.as_str()) {
            e.add("nominee_kind", "form.choose");
        }
        let nominators: Vec<String> = NOMINATORS
            .iter()
            .filter(|n| self.nominates(n))
            .map(|n| n.to_string())
            .collect();
        if nominators.is_empty() {
            e.add("nominators", "award.nominators_required");
        }
        let quota = whole(&mut e, "quota", &self.quota, 1..=100, "award.quota_range").unwrap_or(0);
        let materials = text_block(&mut e, "materials", &self.materials, false, 2000);
        let criteria: Vec<Criterion> = match parse_criteria(&self.criteria) {
            Ok(c) => c,
            Err(key) => {
                e.add("criteria", key);
                Vec::new()
            }
        };
        let nominations_close = date(&mut e, "nominations_close", &self.nominations_close, true);
        let review_close = date(&mut e, "review_close", &self.review_close, true);
        if let (Some(a), Some(b)) = (nominations_close, review_close)
            && b < a
        {
            e.add("review_close", "award.review_before_nominations");
        }
        let notice_days = notice_days(&mut e, "notice_days", &self.notice_days);
        let award_on = date(&mut e, "award_on", &self.award_on, false);
        let issuing_body = text(&mut e, "issuing_body", &self.issuing_body, true, 100);
        let approval_no = text(&mut e, "approval_no", &self.approval_no, false, 100);
        if opening && needs_approval(&kind) && approval_no.is_empty() {
            e.add("approval_no", "award.approval_required");
        }
        let (Some(year), Some(nominations_close), Some(review_close)) =
            (year, nominations_close, review_close)
        else {
            return Err(e);
        };
        e.into_result(ProgrammeInput {
            year,
            kind,
            name,
            nominee_kind,
            nominators,
            quota,
            materials,
            criteria,
            nominations_close,
            review_close,
            notice_days,
            award_on,
            issuing_body,
            approval_no,
        })
    }

    pub fn compare(&self, saved: &Programme) -> Vec<Compared> {
        let s = Self::from_programme(saved);
        vec![
            Compared::new("award.name", &self.name, &s.name),
            Compared::new("award.quota", &self.quota, &s.quota),
            Compared::new("award.criteria", &self.criteria, &s.criteria),
            Compared::new(
                "award.nominations_close",
                &self.nominations_close,
                &s.nominations_close,
            ),
            Compared::new("award.review_close", &self.review_close, &s.review_close),
            Compared::new("award.approval_no", &self.approval_no, &s.approval_no),
        ]
    }
}

#[derive(Debug, Default, Clone)]
pub struct NominationForm {
    pub nominee_name: String,
    pub nominee_unit: String,
    pub educator_id: String,
    pub activity_id: String,
    pub leading_cadre: String,
    pub story: String,
    pub summary: String,
    pub version: String,
}

impl NominationForm {
    pub fn from_pairs(p: &Pairs) -> Self {
        Self {
            nominee_name: p.get("nominee_name"),
            nominee_unit: p.get("nominee_unit"),
            educator_id: p.get("educator_id"),
            activity_id: p.get("activity_id"),
            leading_cadre: p.get("leading_cadre"),
            story: p.get("story"),
            summary: p.get("summary"),
            version: p.get("version"),
        }
    }

    pub fn from_nomination(n: &Nomination) -> Self {
        Self {
            nominee_name: n.nominee_name.clone(),
            nominee_unit: n.nominee_unit.clone(),
            educator_id: n.educator_id.map(|i| i.to_string()).unwrap_or_default(),
            activity_id: n.activity_id.map(|i| i.to_string()).unwrap_or_default(),
            leading_cadre: if n.leading_cadre { "1" } else { "" }.into(),
            story: n.story.clone(),
            summary: n.summary.clone(),
            version: n.version.to_string(),
        }
    }

    /// Checks what can be saved as a draft; what a submission also needs is
    /// [`missing_items`].
    pub fn parse(
        &self,
        educators: &[i64],
        activities: &[i64],
    ) -> Result<NominationInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let nominee_name = text(&mut e, "nominee_name", &self.nominee_name, true, 100);
        let nominee_unit = text(&mut e, "nominee_unit", &self.nominee_unit, false, 100);
        let pick = |e: &mut FieldErrors, field: &'static str, value: &str, allowed: &[i64]| {
            let value = value.trim();
            if value.is_empty() {
                return None;
            }
            match value.parse::<i64>() {
                Ok(id) if allowed.contains(&id) => Some(id),
                _ => {
                    e.add(field, "form.choose");
                    None
                }
            }
        };
        let educator_id = pick(&mut e, "educator_id", &self.educator_id, educators);
        let activity_id = pick(&mut e, "activity_id", &self.activity_id, activities);
        let story = text_block(&mut e, "story", &self.story, false, 5000);
        let summary = text_block(&mut e, "summary", &self.summary, false, 200);
        e.into_result(NominationInput {
            nominee_name,
            nominee_unit,
            educator_id,
            activity_id,
            leading_cadre: self.leading_cadre == "1",
            story,
            summary,
        })
    }

    pub fn compare(&self, saved: &Nomination) -> Vec<Compared> {
        let s = Self::from_nomination(saved);
        vec![
            Compared::new("award.nominee_name", &self.nominee_name, &s.nominee_name),
            Compared::new("award.nominee_unit", &self.nominee_unit, &s.nominee_unit),
            Compared::new("award.story", &self.story, &s.story),
            Compared::new("award.summary", &self.summary, &s.summary),
        ]
    }
}

/// What a submission still lacks: the catalogue keys of the missing items.
pub fn missing_items(n: &Nomination, nominee_kind: &str) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if n.story.chars().count() < 50 {
        missing.push("award.missing_story");
    }
    if n.summary.trim().is_empty() {
        missing.push("award.missing_summary");
    }
    if n.nominee_unit.trim().is_empty() {
        missing.push("award.missing_unit");
    }
    if nominee_kind == "project" && n.activity_id.is_none() {
        missing.push("award.missing_activity");
    }
    missing
}

/// A panel member's scores, one 0–100 a criterion.
pub fn parse_scores(p: &Pairs, criteria: &[Criterion]) -> Result<Vec<f64>, FieldErrors> {
    let mut e = FieldErrors::default();
    let mut scores = Vec::new();
    for i in 0..criteria.len() {
        let raw = p.get(&format!("score_{i}"));
        match raw.trim().parse::<f64>() {
            Ok(s) if (0.0..=100.0).contains(&s) && s.is_finite() => {
                scores.push((s * 100.0).round() / 100.0)
            }
            _ => {
                e.add("scores", "award.score_range");
                scores.push(0.0);
            }
        }
    }
    e.into_result(scores)
}
