//! A unit's history: dated entries of what changed, by whom, and why.

use super::Unit;
use chrono::NaiveDate;
use sqlx::PgConnection;

#[derive(Debug, sqlx::FromRow)]
pub struct Event {
    pub effective_on: NaiveDate,
    pub kind: String,
    pub changes: serde_json::Value,
    pub note: String,
    pub actor_name: String,
}

impl Event {
    pub fn kind_label(&self) -> String {
        format!("event.{}", self.kind)
    }

    /// "field: old → new" pairs, with the field's catalogue key.
    pub fn changes(&self) -> Vec<(String, String, String)> {
        let serde_json::Value::Object(map) = &self.changes else {
            return Vec::new();
        };
        map.iter()
            .map(|(field, change)| {
                let show = |v: &serde_json::Value| match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => "—".into(),
                    other => other.to_string(),
                };
                let (old, new) = match change {
                    serde_json::Value::Array(pair) if pair.len() == 2 => {
                        (show(&pair[0]), show(&pair[1]))
                    }
                    other => (String::new(), show(other)),
                };
                (format!("field.{field}"), old, new)
            })
            .collect()
    }
}

/// A dated entry for a unit's history.
pub struct NewEvent<'a> {
    pub unit_id: i64,
    pub effective_on: NaiveDate,
    pub kind: &'a str,
    pub changes: serde_json::Value,
    pub note: &'a str,
}

/// Records a dated event in the unit's history.
pub async fn record(
    conn: &mut PgConnection,
    tenant_id: i64,
    actor: &str,
    e: NewEvent<'_>,
) -> sqlx::Result<()> {
    let NewEvent {
        unit_id,
        effective_on,
        kind,
        changes,
        note,
    } = e;
    sqlx::query(
        "insert into unit_event (tenant_id, unit_id, effective_on, kind, changes, note, actor_name) values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(tenant_id)
    .bind(unit_id)
    .bind(effective_on)
    .bind(kind)
    .bind(changes)
    .bind(note)
    .bind(actor)
    .execute(conn)
    .await?;
    Ok(())
}

/// A unit's history, the latest first.
pub async fn of_unit(conn: &mut PgConnection, unit_id: i64) -> sqlx::Result<Vec<Event>> {
    sqlx::query_as(
        "select effective_on, kind, changes, note, actor_name from unit_event where unit_id = $1 order by effective_on desc, id desc",
    )
    .bind(unit_id)
    .fetch_all(conn)
    .await
}

/// The fields that differ between two serialized units, as {field: [old, new]}.
pub fn diff(before: &Unit, after: &Unit) -> serde_json::Value {
    let (Ok(serde_json::Value::Object(b)), Ok(serde_json::Value::Object(a))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return serde_json::Value::Null;
    };
    let changed = a
        .iter()
        .filter(|(k, v)| {
            !["version", "status_since", "id", "parent_id", "kind"].contains(&k.as_str())
                && b.get(*k) != Some(v)
        })
        .map(|(k, v)| {
            (
                k.clone(),
                serde_json::json!([b.get(k).cloned().unwrap_or(serde_json::Value::Null), v]),
            )
        })
        .collect();
    serde_json::Value::Object(changed)
}
