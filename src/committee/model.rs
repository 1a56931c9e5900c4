//! The committee's domain: its roles in the roster's order, and a member or a member unit once
//! its form is checked.

use chrono::NaiveDate;

/// Committee roles, in the order the roster lists them (annex 1).
pub const ROLES: [&str; 4] = ["chair", "vice_chair", "member", "office_director"];

/// A checked member: a known role, a term that ends after it starts, an active member unit.
pub struct MemberInput {
    pub name: String,
    pub role: String,
    pub position: String,
    pub unit: Option<i64>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

/// A checked member unit: a code of letters, digits, `-` and `_`.
pub struct UnitInput {
    pub code: String,
    pub name: String,
    pub duties: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub active: bool,
}
