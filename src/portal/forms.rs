//! The forms residents fill in: a sign-up and a check-in.

use super::model::phone;
use crate::web::forms::{FieldErrors, Pairs, text};

#[derive(Debug, Default, Clone)]
pub struct SignupForm {
    pub session: String,
    pub name: String,
    pub phone: String,
    pub consent: bool,
}

pub struct SignupInput {
    pub session: i64,
    pub name: String,
    pub phone: String,
}

impl SignupForm {
    pub fn from_pairs(p: &Pairs) -> Self {
        Self {
            session: p.get("session"),
            name: p.get("name"),
            phone: p.get("phone"),
            consent: p.get("consent") == "yes",
        }
    }

    /// `sessions`: those open for sign-up.
    pub fn parse(&self, sessions: &[i64]) -> Result<SignupInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let session = self
            .session
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|s| sessions.contains(s));
        if session.is_none() {
            e.add("session", "signup.session_required");
        }
        let name = text(&mut e, "name", &self.name, true, 30);
        let phone = match phone(&self.phone) {
            Some(p) => p,
            None => {
                e.add("phone", "signup.phone_format");
                String::new()
            }
        };
        if !self.consent {
            e.add("consent", "signup.consent_required");
        }
        e.into_result(SignupInput {
            session: session.unwrap_or(0),
            name,
            phone,
        })
    }
}
