//! Roles, scopes and the one table of who may do what.
//!
//! A scope is where in a district a user acts: the whole district, one town school with its
//! teaching points, one teaching point, or one committee member unit. Repo functions filter
//! by the scope path in SQL, so a unit outside the scope is simply not found (404).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    PlatformAdmin,
    DistrictAdmin,
    CommitteeOffice,
    Supervisor,
    TownAdmin,
    PointCoordinator,
    UnitOfficer,
    /// A third-party evaluator: only the evaluation rounds and units assigned.
    Evaluator,
    Viewer,
}

impl Role {
    /// Roles a district administrator may grant inside the district.
    pub const DISTRICT_GRANTABLE: [Role; 8] = [
        Role::DistrictAdmin,
        Role::CommitteeOffice,
        Role::Supervisor,
        Role::TownAdmin,
        Role::PointCoordinator,
        Role::UnitOfficer,
        Role::Evaluator,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "platform_admin",
            Role::DistrictAdmin => "district_admin",
            Role::CommitteeOffice => "committee_office",
            Role::Supervisor => "supervisor",
            Role::TownAdmin => "town_admin",
            Role::PointCoordinator => "point_coordinator",
            Role::UnitOfficer => "unit_officer",
            Role::Evaluator => "evaluator",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::PlatformAdmin]
            .into_iter()
            .chain(Self::DISTRICT_GRANTABLE)
            .find(|r| r.as_str() == s)
    }

    /// The catalogue key of the role's name.
    pub fn label(self) -> String {
        format!("role.{}", self.as_str())
    }

    /// Which kind of org unit the role's scope is, if it is scoped to one.
    pub fn unit_kind(self) -> Option<&'static str> {
        match self {
            Role::TownAdmin => Some("town_school"),
            Role::PointCoordinator => Some("teaching_point"),
            _ => None,
        }
    }

    /// District-wide roles see the whole network.
    pub fn is_district_wide(self) -> bool {
        matches!(
            self,
            Role::DistrictAdmin | Role::CommitteeOffice | Role::Supervisor | Role::Viewer
        )
    }
}

/// What a user may try; whether a particular record is in scope is the repo's business.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Browse the network tree (within scope).
    ViewNetwork,
    /// Create, edit or deactivate town schools (and the college's details).
    ManageTownSchools,
    /// Create, edit or deactivate teaching points (within scope).
    ManagePoints,
    /// Edit the details of one's own town school.
    EditOwnSchool,
    /// Grant and advance demonstration designations (四(七)).
    GrantDemonstration,
    /// Edit the policy targets the dashboard measures against.
    EditTargets,
    /// Keep the guiding committee's roster and its member units (五(一)).
    ManageCommittee,
    /// Read the committee's roster and duties.
    ViewCommittee,
    /// Run supervision: frameworks, evaluation rounds, scoring, notices, rectification, surveys.
    Supervise,
    /// Run one's own town's rounds over its teaching points (五(四) 镇（街道）督导评估制度):
    /// its frameworks, its scoring, its notice, its rectification items.
    RunTownRounds,
    /// Read the towns' own rounds, frameworks and sheets, never changing them.
    OverseeTownRounds,
    /// Fill one's own unit's self-assessment in a round that evaluates it: a town school in
    /// the district's rounds, a teaching point in its town's.
    SelfAssess,
    ManageAccounts,
    ViewAudit,
    ManageDistricts,
    /// Read the registry of teachers and volunteers (within scope), phones masked.
    ViewEducators,
    /// Register people, edit them, review applications, change their status (within scope).
    ManageEducators,
    /// See a phone or ID number in full (audited): the bureau, and a person's own town school.
    RevealPersonal,
    /// Replace a departed person's name and contact for good.
    AnonymiseEducators,
    /// Record service hours at a unit in scope, and countersign others' records there.
    RecordHours,
    /// Keep the district's list of specialties.
    ManageSpecialties,
    /// Read activities, campaigns and delivery against the plan (within scope).
    ViewActivities,
    /// Record activities of a unit in scope: sessions, attendance, counts, spend, steps.
    RecordActivities,
    /// Reopen a reported activity.
    ReopenActivities,
    /// Name campaigns and enter the learning week's dates.
    ManageCampaigns,
    /// Read the donations received and what they paid for.
    ViewDonations,
    /// Record donations and publish a year's disclosure.
    ManageDonations,
    /// Read award programmes: the district-wide roles all nominations, a nominating unit its
    /// own, a panel member (evaluators too) those before the panel.
    ViewAwards,
    /// Define award programmes and their panels, decide, publish the notice, confirm awards.
    ManageAwards,
    /// Nominate for a programme: town schools, the college (through the bureau), member units.
    Nominate,
    /// Record how each objection to a public notice was handled.
    HandleNotices,
    /// Read the learning library's resources (within scope), unpublished ones included.
    ViewLibrary,
    /// Add resources to the library for a unit in scope and submit them for review.
    AddLibrary,
    /// Review resources for the college (publish, return, withdraw) and set the file limit.
    ReviewLibrary,
}

/// The one table of role × action.
pub fn may(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        ViewNetwork => matches!(
            role,
            DistrictAdmin | CommitteeOffice | Supervisor | Viewer | TownAdmin | PointCoordinator
        ),
        ManageTownSchools | ManageAccounts | GrantDemonstration | EditTargets => {
            role == DistrictAdmin
        }
        ManagePoints => matches!(role, DistrictAdmin | TownAdmin),
        EditOwnSchool => role == TownAdmin,
        ViewAudit => matches!(role, DistrictAdmin | Supervisor),
        ManageCommittee => matches!(role, DistrictAdmin | CommitteeOffice),
        Supervise => matches!(role, DistrictAdmin | Supervisor),
        RunTownRounds => role == TownAdmin,
        OverseeTownRounds => matches!(role, DistrictAdmin | Supervisor | CommitteeOffice),
        SelfAssess => matches!(role, TownAdmin | PointCoordinator),
        ViewCommittee => role.is_district_wide() || role == UnitOfficer,
        ManageDistricts => role == PlatformAdmin,
        ViewEducators => role.is_district_wide() || matches!(role, TownAdmin | PointCoordinator),
        ManageEducators => matches!(role, DistrictAdmin | CommitteeOffice | TownAdmin),
        RevealPersonal => matches!(role, DistrictAdmin | TownAdmin),
        AnonymiseEducators | ManageSpecialties => role == DistrictAdmin,
        RecordHours => matches!(role, DistrictAdmin | TownAdmin | PointCoordinator),
        ViewActivities => {
            role.is_district_wide() || matches!(role, TownAdmin | PointCoordinator | UnitOfficer)
        }
        RecordActivities => matches!(
            role,
            DistrictAdmin | TownAdmin | PointCoordinator | UnitOfficer
        ),
        ReopenActivities | ManageCampaigns | ManageDonations => role == DistrictAdmin,
        ViewDonations => role.is_district_wide(),
        ViewAwards => {
            role.is_district_wide() || matches!(role, TownAdmin | UnitOfficer | Evaluator)
        }
        ManageAwards | HandleNotices => matches!(role, DistrictAdmin | CommitteeOffice),
        Nominate => matches!(role, DistrictAdmin | TownAdmin | UnitOfficer),
        ViewLibrary => {
            role.is_district_wide() || matches!(role, TownAdmin | PointCoordinator | UnitOfficer)
        }
        AddLibrary => matches!(
            role,
            DistrictAdmin | TownAdmin | PointCoordinator | UnitOfficer
        ),
        ReviewLibrary => role == DistrictAdmin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_name() {
        for role in [Role::PlatformAdmin]
            .into_iter()
            .chain(Role::DISTRICT_GRANTABLE)
        {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn only_the_district_admin_manages_accounts_and_town_schools() {
        for role in Role::DISTRICT_GRANTABLE {
            assert_eq!(
                may(role, Action::ManageAccounts),
                role == Role::DistrictAdmin
            );
            assert_eq!(
                may(role, Action::ManageTownSchools),
                role == Role::DistrictAdmin
            );
        }
        assert!(may(Role::TownAdmin, Action::ManagePoints));
        assert!(!may(Role::PointCoordinator, Action::ManagePoints));
        assert!(!may(Role::UnitOfficer, Action::ViewNetwork));
        assert!(!may(Role::PlatformAdmin, Action::ViewNetwork));
    }

    #[test]
    fn a_town_runs_its_own_rounds_which_the_district_reads_and_never_runs() {
        for role in Role::DISTRICT_GRANTABLE {
            assert_eq!(may(role, Action::RunTownRounds), role == Role::TownAdmin);
            assert!(!(may(role, Action::RunTownRounds) && may(role, Action::OverseeTownRounds)));
        }
        assert!(may(Role::CommitteeOffice, Action::OverseeTownRounds));
        assert!(!may(Role::Evaluator, Action::OverseeTownRounds));
        assert!(may(Role::PointCoordinator, Action::SelfAssess));
        assert!(!may(Role::Supervisor, Action::SelfAssess));
    }
}
