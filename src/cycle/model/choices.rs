//! The fixed lists the cycle's forms and filters choose from; each code has its label in the
//! catalogue (`resource.venue`, `filer.college`, ...).

/// The kinds of filer a cycle may ask for lists, in the board's order.
pub const FILER_KINDS: [&str; 4] = ["member_unit", "college", "town_school", "teaching_point"];

/// How a filing stands, as the board filters it: a submission's status, or not started,
/// overdue or late.
pub const FILINGS: [&str; 7] = [
    "not_started",
    "draft",
    "submitted",
    "returned",
    "accepted",
    "overdue",
    "late",
];

pub const RESOURCE_CATEGORIES: [&str; 9] = [
    "venue",
    "facility",
    "course",
    "teacher_team",
    "volunteer_team",
    "digital",
    "funding",
    "brand",
    "other",
];
pub const PLAN_CATEGORIES: [&str; 10] = [
    "elderly",
    "youth",
    "rural_skills",
    "employment",
    "modern_life",
    "reading",
    "science",
    "health",
    "culture",
    "other",
];
/// Key populations of 四(六).
pub const POPULATIONS: [&str; 8] = [
    "elderly",
    "youth_after_school",
    "rural",
    "left_behind_women",
    "left_behind_children",
    "left_behind_elderly",
    "disabled",
    "all",
];
pub const SHARING: [&str; 3] = ["free", "booking", "fee"];
pub const PERIODS: [&str; 17] = [
    "Y", "Q1", "Q2", "Q3", "Q4", "M01", "M02", "M03", "M04", "M05", "M06", "M07", "M08", "M09",
    "M10", "M11", "M12",
];
