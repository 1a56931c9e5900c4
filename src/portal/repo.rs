//! SQL of the residents' portal: the district's home, a town's or a point's page.

use chrono::NaiveDate;
use serde::Deserialize;
use sqlx::PgConnection;
use sqlx::types::Json;

/// A town school or a teaching point as residents see it: where it is and how to reach it
/// (the school's own phone, never a person's).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Place {
    pub id: i64,
    pub kind: String,
    pub code: String,
    pub name: String,
    pub area: String,
    pub address: String,
    pub phone: String,
    pub opening_hours: String,
    /// The town school it belongs to (itself for a school).
    pub town_id: i64,
    pub town: String,
    pub points: i64,
}

const PLACE: &str =
    "select u.id, u.kind, u.code, u.name, u.area, u.address, u.contact_phone as phone,
        u.opening_hours, t.id as town_id, t.name as town,
        (select count(*) from org_unit c where c.tenant_id = u.tenant_id and c.parent_id = u.id
            and c.status = 'active') as points
   from org_unit u
   join org_unit t on t.tenant_id = u.tenant_id
        and t.id = case when u.kind = 'teaching_point' then u.parent_id else u.id end";

/// The district's town schools, in code order.
pub async fn towns(conn: &mut PgConnection, tenant_id: i64) -> sqlx::Result<Vec<Place>> {
    sqlx::query_as(&format!(
        "{PLACE} where u.tenant_id = $1 and u.kind = 'town_school' and u.status = 'active' order by u.code"
    ))
    .bind(tenant_id)
    .fetch_all(conn)
    .await
}

/// An active town school or teaching point of the district.
pub async fn place(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
) -> sqlx::Result<Option<Place>> {
    sqlx::query_as(&format!(
        "{PLACE} where u.tenant_id = $1 and u.id = $2 and u.kind <> 'college' and u.status = 'active'"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// A town's teaching points.
pub async fn points(
    conn: &mut PgConnection,
    tenant_id: i64,
    town: i64,
) -> sqlx::Result<Vec<Place>> {
    sqlx::query_as(&format!(
        "{PLACE} where u.tenant_id = $1 and u.parent_id = $2 and u.status = 'active' order by u.code"
    ))
    .bind(tenant_id)
    .bind(town)
    .fetch_all(conn)
    .await
}

/// What the district's home links to, in one statement: the latest published catalogue, the
/// latest donation list disclosed, whether this year's survey takes answers, the notices
/// running and the latest three (awards in 公示, evaluation results made public, ...).
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Links {
    pub catalogue_year: Option<i32>,
    pub donations_year: Option<i32>,
    pub survey_open: bool,
    pub notices_running: i64,
    pub latest_notices: Json<Vec<NoticeLine>>,
}

/// A notice as the home lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct NoticeLine {
    pub id: i64,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

impl NoticeLine {
    pub fn running_on(&self, today: NaiveDate) -> bool {
        self.starts_on <= today && today <= self.ends_on
    }
}

pub async fn links(
    conn: &mut PgConnection,
    tenant_id: i64,
    today: NaiveDate,
) -> sqlx::Result<Links> {
    sqlx::query_as(
        "select (select max(c.year) from reporting_cycle c where c.tenant_id = $1 and c.status = 'published') as catalogue_year,
                (select max(d.year) from donation_disclosure d where d.tenant_id = $1) as donations_year,
                exists (select 1 from survey s where s.tenant_id = $1 and s.year = extract(year from $2::date)::int
                           and s.open) as survey_open,
                (select count(*) from public_notice n where n.tenant_id = $1 and $2 between n.starts_on and n.ends_on)
                    as notices_running,
                (select coalesce(jsonb_agg(jsonb_build_object('id', l.id, 'title', l.title, 'starts_on', l.starts_on,
                                                              'ends_on', l.ends_on) order by l.starts_on desc, l.id desc), '[]')
                   from (select n.id, n.title, n.starts_on, n.ends_on from public_notice n
                          where n.tenant_id = $1 and n.starts_on <= $2
                          order by n.starts_on desc, n.id desc limit 3) l) as latest_notices",
    )
    .bind(tenant_id)
    .bind(today)
    .fetch_one(conn)
    .await
}
