//! The area's forms as typed, checked into their inputs with what is wrong beside each field:
//! an activity, a session's attendance, the participants by key population, a campaign and a
//! donation. Checks that need the database (the plan item's owner and year, a donation's room)
//! are the handlers', which add them beside the same fields.

use super::model::{
    ActivityInput, Attendance, CAMPAIGN_KINDS, CATEGORIES, CampaignInput, DONOR_KINDS,
    DonationInput, Organiser, POPULATIONS, Repeat, Spend, follows_national,
};
use super::repo::campaigns::{Campaign, Donation};
use super::repo::{Activity, Choice, OrganiserChoice, PlanChoice};
use crate::web::forms::{FieldErrors, Pairs, count, date, fen, text, text_block, year, yuan};
use crate::web::save::Compared;
use chrono::{Datelike, NaiveTime};

/// What an activity's form may choose from, read for the user who fills it.
pub struct Choices {
    pub organisers: Vec<OrganiserChoice>,
    pub plans: Vec<PlanChoice>,
    pub venues: Vec<Choice>,
    pub campaigns: Vec<Choice>,
    pub donations: Vec<Choice>,
}

/// An activity's form, as typed.
#[derive(Debug, Clone, Default)]
pub struct ActivityForm {
    pub title: String,
    pub category: String,
    pub organiser: String,
    pub partners: String,
    /// A plan item's id, or "none" for an activity outside the plan.
    pub plan: String,
    pub not_in_plan_reason: String,
    pub campaign_id: String,
    pub venue_item_id: String,
    pub address: String,
    pub populations: Vec<String>,
    pub capacity: String,
    pub starts_on: String,
    pub ends_on: String,
    pub starts_at: String,
    pub ends_at: String,
    pub repeat: String,
    pub spend_government: String,
    pub spend_donation: String,
    pub spend_learners: String,
    pub spend_other: String,
    pub donation_id: String,
    pub version: String,
}

fn time(e: &mut FieldErrors, field: &'static str, value: &str) -> Option<NaiveTime> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match NaiveTime::parse_from_str(value, "%H:%M") {
        Ok(t) => Some(t),
        Err(_) => {
            e.add(field, "activity.time_format");
            None
        }
    }
}

fn chosen(e: &mut FieldErrors, field: &'static str, value: &str, from: &[Choice]) -> Option<i64> {
    match value.trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(id) if from.iter().any(|c| c.id == id) => Some(id),
            _ => {
                e.add(field, "form.choose");
                None
            }
        },
    }
}

impl ActivityForm {
    pub fn from_pairs(p: &Pairs) -> Self {
        Self {
            title: p.get("title"),
            category: p.get("category"),
            organiser: p.get("organiser"),
            partners: p.get("partners"),
            plan: p.get("plan"),
            not_in_plan_reason: p.get("not_in_plan_reason"),
            campaign_id: p.get("campaign_id"),
            venue_item_id: p.get("venue_item_id"),
            address: p.get("address"),
            populations: p.all("populations"),
            capacity: p.get("capacity"),
            starts_on: p.get("starts_on"),
            ends_on: p.get("ends_on"),
            starts_at: p.get("starts_at"),
            ends_at: p.get("ends_at"),
            repeat: p.get("repeat"),
            spend_government: p.get("spend_government"),
            spend_donation: p.get("spend_donation"),
            spend_learners: p.get("spend_learners"),
            spend_other: p.get("spend_other"),
            donation_id: p.get("donation_id"),
            version: p.get("version"),
        }
    }

    pub fn from_activity(a: &Activity) -> Self {
        let id = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        Self {
            title: a.title.clone(),
            category: a.category.clone(),
            organiser: a.organiser().key(),
            partners: a.partners.clone(),
            plan: a
                .plan_item_id
                .map_or_else(|| "none".to_string(), |v| v.to_string()),
            not_in_plan_reason: a.not_in_plan_reason.clone(),
            campaign_id: id(a.campaign_id),
            venue_item_id: id(a.venue_item_id),
            address: a.address.clone(),
            populations: a.populations.clone(),
            capacity: a.capacity.map(|c| c.to_string()).unwrap_or_default(),
            starts_on: a.starts_on.to_string(),
            ends_on: a.ends_on.to_string(),
            starts_at: String::new(),
            ends_at: String::new(),
            repeat: "once".into(),
            spend_government: yuan(a.spend_government),
            spend_donation: yuan(a.spend_donation),
            spend_learners: yuan(a.spend_learners),
            spend_other: yuan(a.spend_other),
            donation_id: id(a.donation_id),
            version: a.version.to_string(),
        }
    }

    pub fn has_population(&self, p: &str) -> bool {
        self.populations.iter().any(|x| x == p)
    }

    /// Checks every field that needs nothing but the choices.
    pub fn parse(&self, c: &Choices, new: bool) -> Result<ActivityInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let title = text(&mut e, "title", &self.title, true, 100);
        let category = self.category.trim().to_string();
        if !CATEGORIES.contains(&category.as_str()) {
            e.add("category", "form.choose");
        }
        let organiser = Organiser::parse(self.organiser.trim())
            .filter(|o| c.organisers.iter().any(|x| x.key == o.key()));
        if organiser.is_none() {
            e.add("organiser", "activity.organiser_required");
        }
        let partners = text(&mut e, "partners", &self.partners, false, 200);
        let not_in_plan_reason = text(
            &mut e,
            "not_in_plan_reason",
            &self.not_in_plan_reason,
            false,
            200,
        );
        let plan_item_id = match self.plan.trim() {
            "none" => {
                if not_in_plan_reason.is_empty() {
                    e.add("not_in_plan_reason", "activity.reason_needed");
                }
                None
            }
            v => match v.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    e.add("plan", "activity.plan_required");
                    None
                }
            },
        };
        let campaign_id = chosen(&mut e, "campaign_id", &self.campaign_id, &c.campaigns);
        let venue_item_id = chosen(&mut e, "venue_item_id", &self.venue_item_id, &c.venues);
        let address = text(&mut e, "address", &self.address, false, 200);
        if venue_item_id.is_none() && address.is_empty() {
            e.add("address", "activity.place_required");
        }
        let populations: Vec<String> = POPULATIONS
            .iter()
            .filter(|p| self.has_population(p))
            .map(|p| p.to_string())
            .collect();
        if populations.len() != self.populations.len() {
            e.add("populations", "form.choose");
        } else if populations.is_empty() {
            e.add("populations", "activity.populations_required");
        }
        let capacity = count(&mut e, "capacity", &self.capacity).filter(|n| *n > 0);
        let starts_on = date(&mut e, "starts_on", &self.starts_on, true);
        let ends_on = match self.ends_on.trim() {
            "" => starts_on,
            v => date(&mut e, "ends_on", v, false),
        };
        if let (Some(a), Some(b)) = (starts_on, ends_on) {
            if b < a {
                e.add("ends_on", "activity.ends_before");
            } else if b.year() != a.year() {
                e.add("ends_on", "activity.one_year");
            }
        }
        let starts_at = time(&mut e, "starts_at", &self.starts_at);
        let ends_at = time(&mut e, "ends_at", &self.ends_at);
        match (starts_at, ends_at) {
            (Some(a), Some(b)) if b <= a => e.add("ends_at", "activity.ends_before"),
            (Some(_), None) => e.add("ends_at", "activity.times_both"),
            (None, Some(_)) => e.add("starts_at", "activity.times_both"),
            _ => {}
        }
        let repeat = if new {
            Repeat::parse(self.repeat.trim()).unwrap_or_else(|| {
                e.add("repeat", "form.choose");
                Repeat::Once
            })
        } else {
            Repeat::Once
        };
        if let (true, Some(a), Some(b)) = (new, starts_on, ends_on)
            && repeat.days(a, b).is_none()
        {
            e.add("repeat", "activity.too_many_sessions");
        }
        let spend = Spend {
            government: fen(&mut e, "spend_government", &self.spend_government),
            donation: fen(&mut e, "spend_donation", &self.spend_donation),
            learners: fen(&mut e, "spend_learners", &self.spend_learners),
            other: fen(&mut e, "spend_other", &self.spend_other),
        };
        let donation_id = chosen(&mut e, "donation_id", &self.donation_id, &c.donations);
        if spend.donation > 0 && donation_id.is_none() {
            e.add("donation_id", "activity.donation_required");
        }
        let (Some(organiser), Some(starts_on), Some(ends_on)) = (organiser, starts_on, ends_on)
        else {
            return Err(e);
        };
        e.into_result(ActivityInput {
            title,
            category,
            organiser,
            partners,
            plan_item_id,
            not_in_plan_reason: if plan_item_id.is_some() {
                String::new()
            } else {
                not_in_plan_reason
            },
            campaign_id,
            venue_item_id,
            address,
            populations,
            capacity,
            starts_on,
            ends_on,
            starts_at,
            ends_at,
            repeat,
            spend,
            donation_id: if spend.donation > 0 {
                donation_id
            } else {
                None
            },
        })
    }

    /// The plan item's checks: one of the organiser's accepted plan (a teaching point's, or
    /// its town school's), filed the December before the activity's year.
    pub fn check_plan(
        i: &ActivityInput,
        item: Option<&PlanChoice>,
        c: &Choices,
        e: &mut FieldErrors,
    ) {
        let Some(wanted) = i.plan_item_id else {
            return;
        };
        let key = i.organiser.key();
        let owner = c
            .organisers
            .iter()
            .find(|o| o.key == key)
            .and_then(|o| o.plan_owner.as_deref());
        match item {
            None => e.add("plan", "form.choose"),
            Some(p) if p.organiser != key && Some(p.organiser.as_str()) != owner => {
                e.add("plan", "activity.plan_other_unit")
            }
            Some(p) if !p.accepted => e.add("plan", "activity.plan_not_accepted"),
            Some(p) if p.cycle_year != i.plan_year() => e.add("plan", "activity.plan_wrong_year"),
            Some(p) => debug_assert_eq!(p.id, wanted),
        }
    }

    pub fn compare(&self, saved: &Activity) -> Vec<Compared> {
        let saved_form = Self::from_activity(saved);
        vec![
            Compared::new("activity.title_field", &self.title, &saved_form.title),
            Compared::new("activity.category", &self.category, &saved_form.category),
            Compared::new("activity.organiser", &self.organiser, &saved_form.organiser),
            Compared::new("activity.plan_item", &self.plan, &saved_form.plan),
            Compared::new("activity.starts_on", &self.starts_on, &saved_form.starts_on),
            Compared::new("activity.ends_on", &self.ends_on, &saved_form.ends_on),
            Compared::new("activity.address", &self.address, &saved_form.address),
            Compared::new(
                "activity.populations",
                self.populations.join("、"),
                saved_form.populations.join("、"),
            ),
            Compared::new("activity.capacity", &self.capacity, &saved_form.capacity),
            Compared::new(
                "plan.budget_government",
                &self.spend_government,
                &saved_form.spend_government,
            ),
            Compared::new(
                "plan.budget_donation",
                &self.spend_donation,
                &saved_form.spend_donation,
            ),
            Compared::new(
                "plan.budget_learners",
                &self.spend_learners,
                &saved_form.spend_learners,
            ),
            Compared::new(
                "plan.budget_other",
                &self.spend_other,
                &saved_form.spend_other,
            ),
        ]
    }
}

/// A session's attendance as typed.
#[derive(Debug, Clone, Default)]
pub struct AttendanceForm {
    pub status: String,
    pub attendance: String,
    pub walk_ins: String,
    pub note: String,
    pub version: String,
}

impl AttendanceForm {
    pub fn from_pairs(p: &Pairs) -> Self {
        Self {
            status: p.get("status"),
            attendance: p.get("attendance"),
            walk_ins: p.get("walk_ins"),
            note: p.get("note"),
            version: p.get("version"),
        }
    }

    /// Checks the form; those who signed up and came may not exceed the capacity (walk-ins
    /// may, and are counted as such).
    pub fn parse(&self, capacity: Option<i32>) -> Result<Attendance, FieldErrors> {
        let mut e = FieldErrors::default();
        let status = match self.status.trim() {
            "held" => "held",
            "cancelled" => "cancelled",
            "scheduled" => "scheduled",
            _ => {
                e.add("status", "form.choose");
                "scheduled"
            }
        };
        let attendance = count(&mut e, "attendance", &self.attendance);
        let walk_ins = count(&mut e, "walk_ins", &self.walk_ins).unwrap_or(0);
        if status == "held" && attendance.is_none() && e.get("attendance").is_none() {
            e.add("attendance", "session.attendance_required");
        }
        if let (Some(n), Some(cap)) = (attendance, capacity)
            && n > cap
        {
            e.add("attendance", "session.over_capacity");
        }
        let note = text(&mut e, "note", &self.note, status == "cancelled", 200);
        e.into_result(Attendance {
            status,
            attendance: if status == "held" { attendance } else { None },
            walk_ins: if status == "held" { walk_ins } else { 0 },
            note,
        })
    }
}

/// The participation form's field of each key population, in [`POPULATIONS`]' order.
pub const COUNT_FIELDS: [&str; 8] = [
    "count_elderly",
    "count_youth_after_school",
    "count_rural",
    "count_left_behind_women",
    "count_left_behind_children",
    "count_left_behind_elderly",
    "count_disabled",
    "count_all",
];

/// The participants by key population as typed: one number a population.
pub fn participation(p: &Pairs) -> Result<Vec<(String, i32)>, FieldErrors> {
    let mut e = FieldErrors::default();
    let counts: Vec<(String, i32)> = POPULATIONS
        .iter()
        .zip(COUNT_FIELDS)
        .map(|(pop, field)| {
            (
                pop.to_string(),
                count(&mut e, field, &p.get(field)).unwrap_or(0),
            )
        })
        .collect();
    e.into_result(counts)
}

/// A campaign's form as typed.
#[derive(Debug, Clone, Default)]
pub struct CampaignForm {
    pub kind: String,
    pub name: String,
    pub year: String,
    pub theme: String,
    pub starts_on: String,
    pub ends_on: String,
    pub national_starts_on: String,
    pub national_ends_on: String,
    pub version: String,
}

impl CampaignForm {
    pub fn from_pairs(p: &Pairs) -> Self {
        Self {
            kind: p.get("kind"),
            name: p.get("name"),
            year: p.get("year"),
            theme: p.get("theme"),
            starts_on: p.get("starts_on"),
            ends_on: p.get("ends_on"),
            national_starts_on: p.get("national_starts_on"),
            national_ends_on: p.get("national_ends_on"),
            version: p.get("version"),
        }
    }

    pub fn from_campaign(c: &Campaign) -> Self {
        let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        Self {
            kind: c.kind.clone(),
            name: c.name.clone(),
            year: c.year.to_string(),
            theme: c.theme.clone(),
            starts_on: c.starts_on.to_string(),
            ends_on: c.ends_on.to_string(),
            national_starts_on: day(c.national_starts_on),
            national_ends_on: day(c.national_ends_on),
            version: c.version.to_string(),
        }
    }

    /// Checks the form; a learning week needs the national dates, and its own week must open
    /// within a month of the national opening.
    pub fn parse(&self) -> Result<CampaignInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let kind = self.kind.trim().to_string();
        if !CAMPAIGN_KINDS.contains(&kind.as_str()) {
            e.add("kind", "form.choose");
        }
        let name = text(&mut e, "name", &self.name, true, 100);
        let year = year(&mut e, "year", &self.year);
        let theme = text(&mut e, "theme", &self.theme, false, 200);
        let starts_on = date(&mut e, "starts_on", &self.starts_on, true);
        let ends_on = date(&mut e, "ends_on", &self.ends_on, true);
        let week = kind == "learning_week";
        let national_starts_on = date(&mut e, "national_starts_on", &self.national_starts_on, week);
        let national_ends_on = date(&mut e, "national_ends_on", &self.national_ends_on, week);
        if let (Some(a), Some(b)) = (starts_on, ends_on)
            && b < a
        {
            e.add("ends_on", "activity.ends_before");
        }
        if let (Some(a), Some(b)) = (national_starts_on, national_ends_on)
            && b < a
        {
            e.add("national_ends_on", "activity.ends_before");
        }
        if let (Some(a), Some(y)) = (starts_on, year)
            && a.year() != y
        {
            e.add("starts_on", "campaign.in_its_year");
        }
        if let (true, Some(a), Some(n)) = (week, starts_on, national_starts_on)
            && !follows_national(a, n)
        {
            e.add("starts_on", "campaign.off_national");
        }
        let (Some(year), Some(starts_on), Some(ends_on)) = (year, starts_on, ends_on) else {
            return Err(e);
        };
        e.into_result(CampaignInput {
            kind,
            name,
            year,
            theme,
            starts_on,
            ends_on,
            national_starts_on: if week { national_starts_on } else { None },
            national_ends_on: if week { national_ends_on } else { None },
        })
    }

    pub fn compare(&self, saved: &Campaign) -> Vec<Compared> {
        let s = Self::from_campaign(saved);
        vec![
            Compared::new("campaign.name", &self.name, &s.name),
            Compared::new("campaign.theme", &self.theme, &s.theme),
            Compared::new("campaign.starts_on", &self.starts_on, &s.starts_on),
            Compared::new("campaign.ends_on", &self.ends_on, &s.ends_on),
        ]
    }
}

/// A donation's form as typed.
#[derive(Debug, Clone, Default)]
pub struct DonationForm {
    pub donor_kind: String,
    pub donor_name: String,
    pub named_publicly: String,
    pub amount: String,
    pub received_on: String,
    pub stated_use: String,
    pub version: String,
}

impl DonationForm {
    pub fn from_pairs(p: &Pairs) -> Self {
        Self {
            donor_kind: p.get("donor_kind"),
            donor_name: p.get("donor_name"),
            named_publicly: p.get("named_publicly"),
            amount: p.get("amount"),
            received_on: p.get("received_on"),
            stated_use: p.get("stated_use"),
            version: p.get("version"),
        }
    }

    pub fn from_donation(d: &Donation) -> Self {
        Self {
            donor_kind: d.donor_kind.clone(),
            donor_name: d.donor_name.clone(),
            named_publicly: if d.named_publicly { "1" } else { "" }.into(),
            amount: yuan(d.amount),
            received_on: d.received_on.to_string(),
            stated_use: d.stated_use.clone(),
            version: d.version.to_string(),
        }
    }

    /// Checks the form; `used` is what activities already spend of it, below which the
    /// amount may not go.
    pub fn parse(&self, used: i64) -> Result<DonationInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let donor_kind = self.donor_kind.trim().to_string();
        if !DONOR_KINDS.contains(&donor_kind.as_str()) {
            e.add("donor_kind", "form.choose");
        }
        let donor_name = text(&mut e, "donor_name", &self.donor_name, true, 100);
        let amount = fen(&mut e, "amount", &self.amount);
        if amount <= 0 && e.get("amount").is_none() {
            e.add("amount", "donation.amount_required");
        } else if amount < used {
            e.add("amount", "donation.below_used");
        }
        let received_on = date(&mut e, "received_on", &self.received_on, true);
        let stated_use = text_block(&mut e, "stated_use", &self.stated_use, false, 500);
        let Some(received_on) = received_on else {
            return Err(e);
        };
        e.into_result(DonationInput {
            donor_kind,
            donor_name,
            named_publicly: self.named_publicly == "1",
            amount,
            received_on,
            stated_use,
        })
    }

    pub fn compare(&self, saved: &Donation) -> Vec<Compared> {
        let s = Self::from_donation(saved);
        vec![
            Compared::new("donation.donor_name", &self.donor_name, &s.donor_name),
            Compared::new("donation.amount", &self.amount, &s.amount),
            Compared::new("donation.received_on", &self.received_on, &s.received_on),
            Compared::new("donation.stated_use", &self.stated_use, &s.stated_use),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_population_has_its_count_field() {
        for (pop, field) in POPULATIONS.iter().zip(COUNT_FIELDS) {
            assert_eq!(field, format!("count_{pop}"));
        }
    }
}
