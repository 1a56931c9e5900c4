//! Supervision's forms, as typed (`Pairs`) → checked input, with an error beside each field:
//! opening a round, an indicator, a framework's year, a sheet's scores, the findings, a
//! rectification item and the year's survey.

use super::model::{
    Findings, Indicator, IndicatorInput, RectificationInput, RoundInput, ScoreInput, SurveyInput,
    weight_problems,
};
use super::repo;
use crate::notices::forms::notice_days;
use crate::web::forms::{FieldErrors, Pairs, date, text, text_block, whole};
use sqlx::PgConnection;
use std::collections::HashMap;

/// Questions a survey may have, and characters a question.
pub const MAX_QUESTIONS: usize = 20;
pub const QUESTION_CHARS: usize = 200;

/// A year from 2000 to 2100.
pub fn year(p: &Pairs, e: &mut FieldErrors) -> Option<i32> {
    whole(
        e,
        "year",
        &p.get("year"),
        2000..=2100,
        "designation.year_format",
    )
}

/// A grade band's threshold (0–100), `default` when left empty.
fn band(p: &Pairs, e: &mut FieldErrors, field: &'static str, default: f64) -> Option<f64> {
    match p.get(field).trim() {
        "" => Some(default),
        v => match v.parse::<f64>().ok().filter(|x| (0.0..=100.0).contains(x)) {
            Some(x) => Some(x),
            None => {
                e.add(field, "round.band_format");
                None
            }
        },
    }
}

/// The round form of `owner` (none for the district's, else a town school); its framework
/// must be the same owner's and balanced (read in `conn`). A town's round has no third-party
/// evaluators, so no weight for them.
pub async fn round(
    conn: &mut PgConnection,
    p: &Pairs,
    owner: Option<i64>,
) -> sqlx::Result<Result<RoundInput, FieldErrors>> {
    let mut e = FieldErrors::default();
    let name = text(&mut e, "name", &p.get("name"), true, 100);
    let year = year(p, &mut e);
    let framework = match p.get("framework").parse::<i64>().ok() {
        Some(f) => repo::framework(conn, f)
            .await?
            .filter(|f| f.owner_unit_id == owner),
        None => None,
    };
    match &framework {
        None => e.add("framework", "form.choose"),
        Some(f) if !weight_problems(&repo::indicators(conn, f.id).await?).is_empty() => {
            e.add("framework", "framework.weights_wrong")
        }
        Some(_) => {}
    }
    let self_due = date(&mut e, "self_due", &p.get("self_due"), true);
    let review_due = date(&mut e, "review_due", &p.get("review_due"), true);
    if let (Some(s), Some(r)) = (self_due, review_due)
        && r < s
    {
        e.add("review_due", "round.review_before_self");
    }
    let weight = match owner {
        Some(_) => Some(0),
        None => whole(
            &mut e,
            "evaluator_weight",
            &p.get("evaluator_weight"),
            0..=100,
            "round.weight_format",
        ),
    };
    // Grade bands: 优秀 / 良好 / 合格 thresholds, highest first.
    let bands = (
        band(p, &mut e, "excellent", 90.0),
        band(p, &mut e, "good", 80.0),
        band(p, &mut e, "pass", 60.0),
    );
    if let (Some(x), Some(g), Some(s)) = bands
        && !(x >= g && g >= s)
    {
        e.add("excellent", "round.band_order");
    }
    let units = p
        .all("units")
        .iter()
        .filter_map(|u| u.parse().ok())
        .collect();
    let (
        Some(year),
        Some(f),
        Some(self_due),
        Some(review_due),
        Some(evaluator_weight),
        (Some(excellent), Some(good), Some(pass)),
    ) = (year, framework, self_due, review_due, weight, bands)
    else {
        return Ok(Err(e));
    };
    Ok(e.into_result(RoundInput {
        name,
        year,
        framework: f.id,
        self_due,
        review_due,
        evaluator_weight,
        excellent,
        good,
        pass,
        units,
    }))
}

/// An indicator for a framework holding `existing`; none may be added once a round uses it.
/// Its metric, if any, is one of `metrics` (a town's framework takes only a point's).
pub fn indicator(
    p: &Pairs,
    existing: &[Indicator],
    in_use: bool,
    metrics: &[&str],
) -> Result<IndicatorInput, FieldErrors> {
    let mut e = FieldErrors::default();
    if in_use {
        e.add("code", "framework.in_use");
    }
    let code = text(&mut e, "code", &p.get("code"), true, 20);
    let valid_code =
        code.split('.').all(|part| part.parse::<u32>().is_ok()) && code.split('.').count() <= 3;
    if !code.is_empty() && !valid_code {
        e.add("code", "framework.code_format");
    }
    let parent_code = code.rsplit_once('.').map(|(p, _)| p.to_string());
    let parent = parent_code
        .as_ref()
        .and_then(|pc| existing.iter().find(|i| &i.code == pc));
    if valid_code && parent_code.is_some() && parent.is_none() {
        e.add("code", "framework.parent_missing");
    }
    let name = text(&mut e, "name", &p.get("name"), true, 100);
    let max = p
        .get("max_score")
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|m| *m > 0.0 && *m <= 100.0);
    if max.is_none() {
        e.add("max_score", "framework.max_format");
    }
    let metric = Some(p.get("metric")).filter(|m| !m.is_empty());
    if metric.as_deref().is_some_and(|m| !metrics.contains(&m)) {
        e.add("metric", "form.choose");
    }
    let guidance = text(&mut e, "guidance", &p.get("guidance"), false, 1000);
    let evidence = text(&mut e, "evidence", &p.get("evidence"), false, 500);
    let Some(max_score) = max else {
        return Err(e);
    };
    e.into_result(IndicatorInput {
        code,
        parent: parent.map(|p| p.id),
        name,
        max_score,
        guidance,
        evidence,
        metric,
    })
}

/// The scores typed on a sheet for the indicators scored by hand (`leaves` without a
/// metric); an empty score is no score. Errors are by indicator, beside each row.
pub fn scores(
    p: &Pairs,
    leaves: &[&Indicator],
) -> Result<Vec<ScoreInput>, HashMap<i64, &'static str>> {
    let mut errors = HashMap::new();
    let mut values = Vec::new();
    for ind in leaves.iter().filter(|i| i.metric.is_none()) {
        let raw = p.get(&format!("score_{}", ind.id));
        if raw.trim().is_empty() {
            continue;
        }
        let mut e = FieldErrors::default();
        let note = text(
            &mut e,
            "note",
            &p.get(&format!("note_{}", ind.id)),
            false,
            500,
        );
        match raw.trim().parse::<f64>() {
            Ok(v) if (0.0..=ind.max_score).contains(&v) && (v * 100.0).fract().abs() < 1e-9 => {
                if let Some(key) = e.get("note") {
                    errors.insert(ind.id, key);
                }
                values.push(ScoreInput {
                    indicator: ind.id,
                    value: v,
                    note,
                });
            }
            _ => {
                errors.insert(ind.id, "round.score_range");
            }
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

pub fn findings(p: &Pairs) -> Result<Findings, FieldErrors> {
    let mut e = FieldErrors::default();
    let strengths = text_block(&mut e, "strengths", &p.get("strengths"), false, 2000);
    let problems = text_block(&mut e, "problems", &p.get("problems"), false, 2000);
    e.into_result(Findings {
        strengths,
        problems,
    })
}

/// Making a round's results public: the notice's working days (5–30) and who takes questions
/// (the supervision office when left empty).
pub fn public_notice(p: &Pairs) -> Result<(i32, String), FieldErrors> {
    let mut e = FieldErrors::default();
    let days = notice_days(&mut e, "working_days", &p.get("working_days"));
    let contact = text(&mut e, "contact", &p.get("contact"), false, 200);
    e.into_result((days, contact))
}

pub fn rectification(p: &Pairs) -> Result<RectificationInput, FieldErrors> {
    let mut e = FieldErrors::default();
    let problem = text(&mut e, "problem", &p.get("problem"), true, 1000);
    let due_on = date(&mut e, "due_on", &p.get("due_on"), true);
    match due_on {
        Some(due_on) => e.into_result(RectificationInput { problem, due_on }),
        None => Err(e),
    }
}

/// The year's survey: a title, and one question a line (empty lines left out); `answered`
/// when residents have answered it already, which fixes its questions.
pub fn survey(p: &Pairs, answered: bool) -> Result<SurveyInput, FieldErrors> {
    let mut e = FieldErrors::default();
    let title = text(&mut e, "title", &p.get("title"), true, 100);
    let typed = text_block(&mut e, "questions", &p.get("questions"), true, 100_000);
    let questions: Vec<String> = typed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if questions.len() > MAX_QUESTIONS {
        e.add("questions", "survey.question_count");
    }
    if questions.iter().any(|q| q.chars().count() > QUESTION_CHARS) {
        e.add("questions", "survey.question_too_long");
    }
    if answered {
        // Changing questions under existing answers would mix them up.
        e.add("questions", "survey.locked");
    }
    e.into_result(SurveyInput { title, questions })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::supervision::model::{METRICS, POINT_METRICS};

    fn pairs(fields: &[(&str, &str)]) -> Pairs {
        Pairs::of(fields)
    }

    fn ind(id: i64, code: &str, max: f64) -> Indicator {
        crate::supervision::model::tests::ind(id, None, code, max)
    }

    #[test]
    fn a_survey_has_a_title_and_one_to_twenty_questions_that_fit() {
        let ok = survey(
            &pairs(&[("title", " 满意度 "), ("questions", "课程\r\n\r\n 场地 \n")]),
            false,
        )
        .ok()
        .unwrap();
        assert_eq!((ok.title.as_str(), ok.questions.len()), ("满意度", 2));
        let empty = survey(&pairs(&[("title", ""), ("questions", "\n \n")]), false)
            .err()
            .unwrap();
        assert_eq!(empty.get("title"), Some("form.required"));
        assert_eq!(empty.get("questions"), Some("form.required"));
        let many = "问\n".repeat(21);
        let too_many = survey(&pairs(&[("title", "t"), ("questions", &many)]), false);
        assert_eq!(
            too_many.err().unwrap().get("questions"),
            Some("survey.question_count")
        );
        let long = "问".repeat(201);
        let too_long = survey(&pairs(&[("title", "t"), ("questions", &long)]), false);
        assert_eq!(
            too_long.err().unwrap().get("questions"),
            Some("survey.question_too_long")
        );
        let locked = survey(&pairs(&[("title", "t"), ("questions", "q")]), true);
        assert_eq!(
            locked.err().unwrap().get("questions"),
            Some("survey.locked")
        );
    }

    #[test]
    fn scores_lie_within_the_maximum_and_notes_hold_no_control_characters() {
        let a = ind(1, "1.1", 5.0);
        let b = ind(2, "1.2", 5.0);
        let typed = pairs(&[("score_1", "4.5"), ("note_1", "好"), ("score_2", "")]);
        let ok = scores(&typed, &[&a, &b]).ok().unwrap();
        assert_eq!((ok.len(), ok[0].value, ok[0].note.as_str()), (1, 4.5, "好"));
        let bad = scores(
            &pairs(&[("score_1", "5.001"), ("score_2", "-1")]),
            &[&a, &b],
        );
        assert_eq!(bad.err().unwrap().len(), 2);
        let note = scores(&pairs(&[("score_1", "1"), ("note_1", "a\0b")]), &[&a]);
        assert_eq!(note.err().unwrap()[&1], "form.control_chars");
    }

    #[test]
    fn an_indicator_needs_its_parent_and_a_framework_not_in_use() {
        let existing = [ind(1, "1", 10.0)];
        let ok = indicator(
            &pairs(&[("code", "1.3"), ("name", "新指标"), ("max_score", "2")]),
            &existing,
            false,
            &METRICS,
        )
        .ok()
        .unwrap();
        assert_eq!(ok.parent, Some(1));
        let orphan = indicator(
            &pairs(&[("code", "2.1"), ("name", "x"), ("max_score", "2")]),
            &existing,
            false,
            &METRICS,
        );
        assert_eq!(
            orphan.err().unwrap().get("code"),
            Some("framework.parent_missing")
        );
        let frozen = indicator(
            &pairs(&[("code", "2"), ("name", "x"), ("max_score", "2")]),
            &existing,
            true,
            &METRICS,
        );
        assert_eq!(frozen.err().unwrap().get("code"), Some("framework.in_use"));
        let town = indicator(
            &pairs(&[
                ("code", "1.3"),
                ("name", "x"),
                ("max_score", "2"),
                ("metric", "village_coverage"),
            ]),
            &existing,
            false,
            &POINT_METRICS,
        );
        assert_eq!(town.err().unwrap().get("metric"), Some("form.choose"));
    }

    #[test]
    fn a_rectification_item_needs_a_problem_and_a_due_day() {
        let bad = rectification(&pairs(&[("problem", ""), ("due_on", "2027/6/30")]))
            .err()
            .unwrap();
        assert_eq!(bad.get("problem"), Some("form.required"));
        assert_eq!(bad.get("due_on"), Some("form.date"));
        assert!(
            rectification(&pairs(&[("problem", "覆盖率低"), ("due_on", "2027-06-30")])).is_ok()
        );
    }
}
