//! What an account is made of once its form is checked.

use crate::access::Role;

/// A checked account: its role's scope lies in the district and is of the right kind.
pub struct AccountInput {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub member_unit_id: Option<i64>,
}
