//! The resources of a submission's inventory as stored, and the network units a resource may
//! name as its place.

use super::items::{Item, Scalar};
use crate::cycle::model::ResourceInput;
use serde::Serialize;
use sqlx::PgConnection;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ResourceItem {
    pub id: i64,
    pub submission_id: i64,
    pub category: String,
    pub name: String,
    pub description: String,
    pub location_unit_id: Option<i64>,
    #[serde(skip)]
    #[sqlx(default)]
    pub location_name: Option<String>,
    pub address: String,
    pub capacity: Option<i32>,
    pub opening_times: String,
    pub populations: Vec<String>,
    pub sharing: String,
    pub contact: String,
    pub version: i32,
}

impl ResourceItem {
    pub fn category_label(&self) -> String {
        format!("resource.{}", self.category)
    }

    pub fn sharing_label(&self) -> String {
        format!("sharing.{}", self.sharing)
    }

    pub fn capacity_text(&self) -> String {
        self.capacity.map(|c| c.to_string()).unwrap_or_default()
    }

    pub fn place(&self) -> String {
        match (&self.location_name, self.address.is_empty()) {
            (Some(n), true) => n.clone(),
            (Some(n), false) => format!("{n} · {}", self.address),
            (None, _) => self.address.clone(),
        }
    }
}

impl Item for ResourceItem {
    type Input = ResourceInput;
    const TABLE: &'static str = "resource_item";
    const SELECT: &'static str = "select i.id, i.submission_id, i.category, i.name, i.description, i.location_unit_id,
        u.name as location_name, i.address, i.capacity, i.opening_times, i.populations, i.sharing, i.contact, i.version
   from resource_item i left join org_unit u on u.tenant_id = i.tenant_id and u.id = i.location_unit_id";
    const FIELDS: &'static str = "category, name, description, location_unit_id, address, capacity,
        opening_times, populations, sharing, contact";
    const VALUES: &'static str = "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12";

    fn fields<'q, O>(q: Scalar<'q, O>, i: &'q ResourceInput) -> Scalar<'q, O> {
        q.bind(&i.category)
            .bind(&i.name)
            .bind(&i.description)
            .bind(i.location_unit_id)
            .bind(&i.address)
            .bind(i.capacity)
            .bind(&i.opening_times)
            .bind(&i.populations)
            .bind(&i.sharing)
            .bind(&i.contact)
    }
}

/// Active network units a filer may name as a resource's location: the subtree of its unit
/// (`None`, a member unit, or the college: the whole district).
pub async fn locations(
    conn: &mut PgConnection,
    unit: Option<i64>,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "select u.id, u.name from org_unit u
          where u.status = 'active'
            and ($1::bigint is null or (select k.kind from org_unit k where k.id = $1) = 'college'
                 or u.path like (select k.path from org_unit k where k.id = $1) || '%')
          order by u.path",
    )
    .bind(unit)
    .fetch_all(conn)
    .await
}
