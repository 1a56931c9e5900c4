//! A round unit's scores, its self-assessment handed in, and the supervisor's findings.

use crate::supervision::model::{Findings, ScoreInput};
use chrono::NaiveDate;
use sqlx::PgConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Score {
    pub round_unit_id: i64,
    pub indicator_id: i64,
    pub scorer_kind: String,
    pub scorer_id: i64,
    pub scorer_name: String,
    pub value: f64,
    pub note: String,
}

pub async fn scores(conn: &mut PgConnection, round_units: &[i64]) -> sqlx::Result<Vec<Score>> {
    sqlx::query_as(
        "select round_unit_id, indicator_id, scorer_kind, scorer_id, scorer_name, value::float8 as value, note
           from score where round_unit_id = any($1) order by id",
    )
    .bind(round_units)
    .fetch_all(conn)
    .await
}

/// Who scores: the kind of score and the account that types it.
pub struct Scorer<'a> {
    pub kind: &'a str,
    pub id: i64,
    pub name: &'a str,
}

/// Saves a scorer's scores and notes, a new one or over its last, all in one statement.
pub async fn save_scores(
    conn: &mut PgConnection,
    tenant_id: i64,
    round_unit: i64,
    by: &Scorer<'_>,
    scores: &[ScoreInput],
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into score (tenant_id, round_unit_id, indicator_id, scorer_kind, scorer_id, scorer_name, value, note)
         select $1, $2, t.indicator, $4, $5, $6, t.value::numeric, t.note
           from unnest($3::bigint[], $7::float8[], $8::text[]) as t(indicator, value, note)
         on conflict (tenant_id, round_unit_id, indicator_id, scorer_kind, scorer_id)
         do update set value = excluded.value, note = excluded.note, at = now()",
    )
    .bind(tenant_id)
    .bind(round_unit)
    .bind(scores.iter().map(|s| s.indicator).collect::<Vec<_>>())
    .bind(by.kind)
    .bind(by.id)
    .bind(by.name)
    .bind(scores.iter().map(|s| s.value).collect::<Vec<_>>())
    .bind(scores.iter().map(|s| s.note.clone()).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(())
}

/// Hands in the self-assessment on `day`, once.
pub async fn submit_self(
    conn: &mut PgConnection,
    round_unit: i64,
    day: NaiveDate,
) -> sqlx::Result<()> {
    sqlx::query(
        "update round_unit set self_submitted_on = $2 where id = $1 and self_submitted_on is null",
    )
    .bind(round_unit)
    .bind(day)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn save_findings(
    conn: &mut PgConnection,
    round_unit: i64,
    f: &Findings,
) -> sqlx::Result<()> {
    sqlx::query("update round_unit set strengths = $2, problems = $3 where id = $1")
        .bind(round_unit)
        .bind(&f.strengths)
        .bind(&f.problems)
        .execute(conn)
        .await?;
    Ok(())
}
