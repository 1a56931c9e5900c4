//! SQL of campaigns (the learning week, reading campaigns) with their live counts, and of
//! donations with what they paid for and the yearly public disclosure.

use crate::activities::model::{CampaignInput, DonationInput};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::PgConnection;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Campaign {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub year: i32,
    pub theme: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub national_starts_on: Option<NaiveDate>,
    pub national_ends_on: Option<NaiveDate>,
    pub version: i32,
    #[serde(skip)]
    pub activities: i64,
    #[serde(skip)]
    pub participants: i64,
}

impl Campaign {
    pub fn kind_label(&self) -> String {
        format!("campaign.kind.{}", self.kind)
    }

    /// A learning week that does not open within a month of the national opening.
    pub fn off_national(&self) -> bool {
        self.national_starts_on
            .is_some_and(|n| !crate::activities::model::follows_national(self.starts_on, n))
    }
}

const CAMPAIGN: &str = "select c.id, c.kind, c.name, c.year, c.theme, c.starts_on, c.ends_on,
        c.national_starts_on, c.national_ends_on, c.version,
        (select count(*) from activity a where a.tenant_id = c.tenant_id and a.campaign_id = c.id
            and a.status <> 'cancelled') as activities,
        coalesce((select sum(a.participants) from activity a where a.tenant_id = c.tenant_id
            and a.campaign_id = c.id and a.status in ('held', 'reported')), 0)::bigint as participants
   from campaign c";

pub async fn campaigns(conn: &mut PgConnection, year: Option<i32>) -> sqlx::Result<Vec<Campaign>> {
    sqlx::query_as(&format!(
        "{CAMPAIGN} where $1::int is null or c.year = $1 order by c.year desc, c.starts_on, c.id"
    ))
    .bind(year)
    .fetch_all(conn)
    .await
}

pub async fn campaign(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Campaign>> {
    sqlx::query_as(&format!("{CAMPAIGN} where c.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Whether the name is taken for that kind and year by another campaign.
pub async fn campaign_taken(
    conn: &mut PgConnection,
    i: &CampaignInput,
    except: Option<i64>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists (select 1 from campaign where kind = $1 and year = $2 and name = $3 and id is distinct from $4)",
    )
    .bind(&i.kind)
    .bind(i.year)
    .bind(&i.name)
    .bind(except)
    .fetch_one(conn)
    .await
}

pub async fn insert_campaign(
    conn: &mut PgConnection,
    tenant_id: i64,
    i: &CampaignInput,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into campaign (tenant_id, kind, name, year, theme, starts_on, ends_on, national_starts_on, national_ends_on)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
    )
    .bind(tenant_id)
    .bind(&i.kind)
    .bind(&i.name)
    .bind(i.year)
    .bind(&i.theme)
    .bind(i.starts_on)
    .bind(i.ends_on)
    .bind(i.national_starts_on)
    .bind(i.national_ends_on)
    .fetch_one(conn)
    .await
}

pub async fn update_campaign(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    i: &CampaignInput,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update campaign set kind = $3, name = $4, year = $5, theme = $6, starts_on = $7, ends_on = $8,
                national_starts_on = $9, national_ends_on = $10, version = version + 1
          where id = $1 and version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(&i.kind)
    .bind(&i.name)
    .bind(i.year)
    .bind(&i.theme)
    .bind(i.starts_on)
    .bind(i.ends_on)
    .bind(i.national_starts_on)
    .bind(i.national_ends_on)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A campaign's counts in one group: activities, sessions held, participants.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Count {
    pub label: String,
    pub id: i64,
    pub activities: i64,
    pub sessions_held: i64,
    pub participants: i64,
}

/// The campaign's activities, sessions and participants by town (the college and member units
/// each as one line), counted live from the activities tagged to it.
pub async fn by_town(conn: &mut PgConnection, campaign_id: i64) -> sqlx::Result<Vec<Count>> {
    sqlx::query_as(
        "select coalesce(t.name, m.name, o.name, '') as label, coalesce(t.id, 0) as id,
                count(*) as activities,
                coalesce(sum(a.sessions_held), 0)::bigint as sessions_held,
                coalesce(sum(a.participants) filter (where a.status in ('held', 'reported')), 0)::bigint as participants
           from activity a
           left join org_unit o on o.tenant_id = a.tenant_id and o.id = a.organiser_unit_id
           left join org_unit t on t.tenant_id = o.tenant_id and o.kind <> 'college'
                 and t.id = case when o.kind = 'teaching_point' then o.parent_id else o.id end
           left join member_unit m on m.tenant_id = a.tenant_id and m.id = a.organiser_member_unit_id
          where a.campaign_id = $1 and a.status <> 'cancelled'
          group by 1, 2 order by 3 desc, 1",
    )
    .bind(campaign_id)
    .fetch_all(conn)
    .await
}

/// The campaign's participants by key population.
pub async fn by_population(conn: &mut PgConnection, campaign_id: i64) -> sqlx::Result<Vec<Count>> {
    sqlx::query_as(
        "select p.population as label, 0::bigint as id, count(distinct a.id) as activities,
                0::bigint as sessions_held, sum(p.count)::bigint as participants
           from activity a
           join activity_participation p on p.tenant_id = a.tenant_id and p.activity_id = a.id
          where a.campaign_id = $1 and a.status in ('held', 'reported')
          group by 1 order by 5 desc",
    )
    .bind(campaign_id)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Donation {
    pub id: i64,
    pub donor_kind: String,
    pub donor_name: String,
    pub named_publicly: bool,
    pub amount: i64,
    pub received_on: NaiveDate,
    pub stated_use: String,
    pub version: i32,
    /// What activities (not cancelled) spend of it.
    #[serde(skip)]
    pub used: i64,
    #[serde(skip)]
    pub activities: i64,
}

impl Donation {
    pub fn kind_label(&self) -> String {
        format!("donation.kind.{}", self.donor_kind)
    }

    pub fn amount_yuan(&self) -> String {
        crate::web::forms::yuan(self.amount)
    }

    pub fn used_yuan(&self) -> String {
        crate::web::forms::yuan(self.used)
    }

    pub fn left_yuan(&self) -> String {
        crate::web::forms::yuan(self.amount - self.used)
    }

    /// The donor as the public disclosure names them.
    pub fn public_name(&self) -> &str {
        if self.named_publicly {
            &self.donor_name
        } else {
            ""
        }
    }
}

const DONATION: &str = "select d.id, d.donor_kind, d.donor_name, d.named_publicly, d.amount, d.received_on,
        d.stated_use, d.version,
        coalesce(u.used, 0)::bigint as used, coalesce(u.activities, 0) as activities
   from donation d
   left join lateral (select sum(a.spend_donation) as used, count(*) as activities from activity a
                       where a.tenant_id = d.tenant_id and a.donation_id = d.id and a.status <> 'cancelled') u on true";

pub async fn donations(conn: &mut PgConnection, year: i32) -> sqlx::Result<Vec<Donation>> {
    sqlx::query_as(&format!(
        "{DONATION} where d.received_on >= make_date($1, 1, 1) and d.received_on < make_date($1 + 1, 1, 1)
          order by d.received_on, d.id"
    ))
    .bind(year)
    .fetch_all(conn)
    .await
}

pub async fn donation(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Donation>> {
    sqlx::query_as(&format!("{DONATION} where d.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn insert_donation(
    conn: &mut PgConnection,
    tenant_id: i64,
    i: &DonationInput,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into donation (tenant_id, donor_kind, donor_name, named_publicly, amount, received_on, stated_use)
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(tenant_id)
    .bind(&i.donor_kind)
    .bind(&i.donor_name)
    .bind(i.named_publicly)
    .bind(i.amount)
    .bind(i.received_on)
    .bind(&i.stated_use)
    .fetch_one(conn)
    .await
}

pub async fn update_donation(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    i: &DonationInput,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update donation set donor_kind = $3, donor_name = $4, named_publicly = $5, amount = $6, received_on = $7,
                stated_use = $8, version = version + 1
          where id = $1 and version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(&i.donor_kind)
    .bind(&i.donor_name)
    .bind(i.named_publicly)
    .bind(i.amount)
    .bind(i.received_on)
    .bind(&i.stated_use)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What a donation paid for: the activities spending it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Use {
    pub activity_id: i64,
    pub title: String,
    pub organiser_name: String,
    pub starts_on: NaiveDate,
    pub status: String,
    pub spend_donation: i64,
}

impl Use {
    pub fn spend_yuan(&self) -> String {
        crate::web::forms::yuan(self.spend_donation)
    }

    pub fn status_label(&self) -> String {
        format!("activity.status.{}", self.status)
    }
}

pub async fn uses(conn: &mut PgConnection, donation_ids: &[i64]) -> sqlx::Result<Vec<(i64, Use)>> {
    let rows: Vec<UseRow> = sqlx::query_as(
        "select a.donation_id, a.id as activity_id, a.title, coalesce(o.name, m.name, '') as organiser_name,
                a.starts_on, a.status, a.spend_donation
           from activity a
           left join org_unit o on o.tenant_id = a.tenant_id and o.id = a.organiser_unit_id
           left join member_unit m on m.tenant_id = a.tenant_id and m.id = a.organiser_member_unit_id
          where a.donation_id = any($1) and a.status <> 'cancelled'
          order by a.donation_id, a.starts_on, a.id",
    )
    .bind(donation_ids)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.donation_id, r.used)).collect())
}

#[derive(sqlx::FromRow)]
struct UseRow {
    donation_id: i64,
    #[sqlx(flatten)]
    used: Use,
}

/// When a year's disclosure was published, if it was.
pub async fn disclosed(conn: &mut PgConnection, year: i32) -> sqlx::Result<Option<NaiveDate>> {
    sqlx::query_scalar("select published_on from donation_disclosure where year = $1")
        .bind(year)
        .fetch_optional(conn)
        .await
}

/// Publishes a year's disclosure (once; a second click publishes nothing).
pub async fn disclose(
    conn: &mut PgConnection,
    tenant_id: i64,
    year: i32,
    on: NaiveDate,
    by: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "insert into donation_disclosure (tenant_id, year, published_on, published_by) values ($1, $2, $3, $4)
         on conflict do nothing",
    )
    .bind(tenant_id)
    .bind(year)
    .bind(on)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
