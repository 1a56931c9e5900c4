//! The residents' satisfaction survey: the year's questions, anonymous answers counted per
//! address, and the results per town and per question.

use crate::supervision::model::SurveyInput;
use crate::web::list::{ListQuery, Listing, Rows, Select, Sorts};
use sqlx::PgConnection;

/// A year's survey.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Survey {
    pub id: i64,
    pub title: String,
    pub questions: Vec<String>,
}

/// The name of an active town school, the only units a survey is answered for.
pub async fn survey_town(conn: &mut PgConnection, unit: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "select name from org_unit where id = $1 and kind = 'town_school' and status = 'active'",
    )
    .bind(unit)
    .fetch_optional(conn)
    .await
}

/// The survey of `year`; with `open`, only while it takes answers.
pub async fn survey(
    conn: &mut PgConnection,
    year: i32,
    open: bool,
) -> sqlx::Result<Option<Survey>> {
    sqlx::query_as("select id, title, questions from survey where year = $1 and (open or not $2)")
        .bind(year)
        .bind(open)
        .fetch_optional(conn)
        .await
}

/// The years that have a survey, latest first.
pub async fn survey_years(conn: &mut PgConnection) -> sqlx::Result<Vec<i32>> {
    sqlx::query_scalar("select year from survey order by year desc")
        .fetch_all(conn)
        .await
}

/// How many answers one address gave the survey in the last day. Taken under a lock on the
/// address held to the end of the transaction, so that a burst is counted one at a time and
/// cannot pass the limit.
pub async fn answers_today(
    conn: &mut PgConnection,
    survey: i64,
    address: &str,
) -> sqlx::Result<i64> {
    sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("survey:{survey}:{address}"))
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar(
        "select count(*) from survey_response
          where survey_id = $1 and address_hash = $2 and at > now() - interval '1 day'",
    )
    .bind(survey)
    .bind(address)
    .fetch_one(conn)
    .await
}

pub async fn insert_answer(
    conn: &mut PgConnection,
    survey: i64,
    unit: i64,
    answers: &[i16],
    address: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into survey_response (tenant_id, survey_id, org_unit_id, answers, address_hash)
         select tenant_id, $1, $2, $3, $4 from survey where id = $1",
    )
    .bind(survey)
    .bind(unit)
    .bind(answers)
    .bind(address)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether anyone answered the survey of `year`: its questions are then fixed.
pub async fn survey_answered(conn: &mut PgConnection, year: i32) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists (select 1 from survey_response r join survey s on s.id = r.survey_id where s.year = $1)",
    )
    .bind(year)
    .fetch_one(conn)
    .await
}

pub async fn save_survey(
    conn: &mut PgConnection,
    tenant_id: i64,
    year: i32,
    s: &SurveyInput,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into survey (tenant_id, year, title, questions) values ($1, $2, $3, $4)
         on conflict (tenant_id, year) do update
            set title = excluded.title, questions = excluded.questions, version = survey.version + 1",
    )
    .bind(tenant_id)
    .bind(year)
    .bind(&s.title)
    .bind(&s.questions)
    .execute(conn)
    .await?;
    Ok(())
}

/// A town's answers to a survey: how many responses, and of all their answers how many were
/// 4 or 5 (satisfied).
#[derive(Debug, sqlx::FromRow)]
pub struct TownResult {
    pub id: i64,
    pub name: String,
    pub responses: i64,
    pub satisfied: i64,
    pub answers: i64,
    #[sqlx(default)]
    pub total: i64,
}

impl TownResult {
    pub fn rate(&self) -> String {
        rate(self.satisfied, self.answers)
    }
}

/// A satisfaction rate as the pages show it, or "—" with nothing to count.
pub fn rate(satisfied: i64, of: i64) -> String {
    if of == 0 {
        "—".into()
    } else {
        format!("{:.1}%", satisfied as f64 * 100.0 / of as f64)
    }
}

/// Every active town school with its answers to survey $1 (one pass over each town's
/// responses, by the town's index), filtered by words in its name ($2).
const TOWNS: &str = "from org_unit u
   cross join lateral (
        select count(*) as responses,
               coalesce(sum((select count(*) from unnest(r.answers) a where a >= 4)), 0)::bigint as satisfied,
               coalesce(sum(cardinality(r.answers)), 0)::bigint as answers
          from survey_response r
         where r.tenant_id = u.tenant_id and r.org_unit_id = u.id and r.survey_id = $1) v
  where u.kind = 'town_school' and u.status = 'active'
    and ($2 = '' or u.name like '%' || $2 || '%')";

pub const TOWN_SORTS: Sorts = Sorts(&[
    ("name", "u.name"),
    ("responses", "v.responses"),
    ("rate", "v.satisfied::float8 / nullif(v.answers, 0)"),
]);

/// The towns' results of a survey, as the page's filters and sort ask for them.
pub struct Towns<'a> {
    pub query: &'a ListQuery,
    pub survey: i64,
}

impl Listing for Towns<'_> {
    type Row = TownResult;

    fn total(row: &TownResult) -> i64 {
        row.total
    }

    fn select(&self) -> Select<'_> {
        Select {
            columns: "u.id, u.name, v.responses, v.satisfied, v.answers",
            from: TOWNS,
            order: TOWN_SORTS.order_by(self.query, "u.code", "u.id"),
        }
    }

    fn bind<'q, T>(&'q self, rows: Rows<'q, T>) -> Rows<'q, T> {
        rows.bind(self.survey)
            .bind(crate::db::like_literal(self.query.get("q")))
    }
}

/// Each question's rate: satisfied answers to it over all responses, in one statement.
pub async fn question_rates(
    conn: &mut PgConnection,
    survey: &Survey,
) -> sqlx::Result<Vec<(String, String)>> {
    let counts: Vec<(i64, i64)> = sqlx::query_as(
        "select count(r.id) filter (where r.answers[q.n] >= 4), count(r.id)
           from generate_series(1, $2) as q(n)
           left join survey_response r on r.survey_id = $1
          group by q.n order by q.n",
    )
    .bind(survey.id)
    .bind(survey.questions.len() as i32)
    .fetch_all(conn)
    .await?;
    Ok(survey
        .questions
        .iter()
        .zip(counts)
        .map(|(q, (satisfied, all))| (q.clone(), rate(satisfied, all)))
        .collect())
}
