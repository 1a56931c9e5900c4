//! Guarded status changes, written once: a step moves a row from one of the statuses it may
//! start from to the next, in one `UPDATE … WHERE status = any(…)` (and, where the page showed
//! a version, `AND version = …`), so a repeated, stale or racing click changes nothing and is
//! told so. The caller has checked role and scope (the row was found in scope); after an
//! applied step it writes its history row, and `save::done` audits, commits and answers.

use chrono::NaiveDate;
use sqlx::PgConnection;

/// One step of one row.
pub struct Step<'a> {
    /// The table, one of ours (never from input).
    pub table: &'static str,
    pub id: i64,
    pub from: &'a [&'a str],
    pub to: &'a str,
    /// The version the page showed; `None` where the status alone guards the step.
    pub version: Option<i32>,
    /// More of the SET clause, ours, which may use $1 (the new status), $5 (the step's day:
    /// today, China's date, or the day given to [`Step::apply_on`]) and $6 (`note`).
    pub also: &'static str,
    pub note: &'a str,
}

impl Step<'_> {
    /// Whether the step happened (false: the row had moved on, or its version had).
    pub async fn apply(&self, tx: &mut PgConnection) -> sqlx::Result<bool> {
        self.apply_on(tx, super::today()).await
    }

    /// [`Step::apply`] for a step the user dates (a unit closed on a given day, a designation
    /// declared on its day): `on` is $5.
    pub async fn apply_on(&self, tx: &mut PgConnection, on: NaiveDate) -> sqlx::Result<bool> {
        let also = if self.also.is_empty() {
            String::new()
        } else {
            format!(", {}", self.also)
        };
        let sql = format!(
            "update {} set status = $1, version = version + 1{also}
              where id = $2 and status = any($3) and ($4::int is null or version = $4)
                -- every bind stands in the statement, so its type is known whether `also` uses it or not
                and $5::date is not null and $6::text is not null",
            self.table
        );
        let done = sqlx::query(&sql)
            .bind(self.to)
            .bind(self.id)
            .bind(self.from)
            .bind(self.version)
            .bind(on)
            .bind(self.note)
            .execute(tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
