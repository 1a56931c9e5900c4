//! The account form and its validation, including that a scope lies in the district.

use super::model::AccountInput;
use super::repo::{self, Account};
use crate::access::Role;
use crate::auth::password;
use crate::web::forms::{FieldErrors, text};
use crate::web::save::Compared;
use serde::Deserialize;
use sqlx::PgConnection;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AccountForm {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: String,
    pub member_unit_id: String,
    pub password: String,
    /// Text, so that a tampered value is a conflict rather than an unreadable form.
    pub version: String,
}

impl AccountForm {
    /// What was typed beside what is saved, for a stale save's conflict page.
    pub fn compare(&self, saved: &Account, label: impl Fn(&str) -> String) -> Vec<Compared> {
        vec![
            Compared::new(
                "account.display_name",
                &self.display_name,
                &saved.display_name,
            ),
            Compared::new(
                "account.role",
                label(&format!("role.{}", self.role)),
                label(&saved.role_label()),
            ),
        ]
    }

    pub fn from_account(a: &Account) -> Self {
        Self {
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            role: a.role.clone(),
            unit_id: a.unit_id.map(|id| id.to_string()).unwrap_or_default(),
            member_unit_id: a
                .member_unit_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            password: String::new(),
            version: a.version.to_string(),
        }
    }
}

/// Validates the form; the scope is looked up in the district (RLS), so another district's unit fails.
pub async fn parse(
    tx: &mut PgConnection,
    form: &AccountForm,
    creating: bool,
) -> sqlx::Result<Result<AccountInput, FieldErrors>> {
    let mut errors = FieldErrors::default();
    let username = form.username.trim().to_lowercase();
    if creating {
        let valid = (3..=40).contains(&username.len())
            && username.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && username
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
        if username.is_empty() {
            errors.add("username", "form.required");
        } else if !valid {
            errors.add("username", "account.username_format");
        }
        if let Err(key) = password::check_new(&form.password, &username) {
            errors.add("password", key);
        }
    }
    let display_name = text(&mut errors, "display_name", &form.display_name, true, 50);
    let role = Role::parse(&form.role).filter(|r| *r != Role::PlatformAdmin);
    if role.is_none() {
        errors.add("role", "account.role_required");
    }
    let mut unit_id = None;
    let mut member_unit_id = None;
    if let Some(role) = role {
        if let Some(kind) = role.unit_kind() {
            let id = form.unit_id.parse::<i64>().ok();
            let found = match id {
                Some(id) => repo::active_unit_kind(tx, id).await?,
                None => None,
            };
            if found.as_deref() == Some(kind) {
                unit_id = id;
            } else {
                errors.add(
                    "unit_id",
                    if kind == "town_school" {
                        "account.needs_town_school"
                    } else {
                        "account.needs_point"
                    },
                );
            }
        }
        if role == Role::UnitOfficer {
            let id = form.member_unit_id.parse::<i64>().ok();
            let found = match id {
                Some(id) => repo::active_member_unit(tx, id).await?,
                None => false,
            };
            if found {
                member_unit_id = id;
            } else {
                errors.add("member_unit_id", "account.needs_member_unit");
            }
        }
    }
    Ok(errors.into_result(()).map(|()| AccountInput {
        username,
        display_name,
        role: role.expect("checked above"),
        unit_id,
        member_unit_id,
    }))
}
