//! The lists' workbook as uploaded: both sheets read into rows, and every row checked with
//! the item forms' own rules, its errors named by sheet, row and column.

use super::{PLAN_SHEET, PlanForm, RESOURCE_SHEET, ResourceForm};
use crate::cycle::model::{PlanInput, ResourceInput};
use crate::reports::xlsx_in::{self, RawRow};
use crate::web::forms::FieldErrors;
use serde::{Deserialize, Serialize};

/// Both sheets of an upload, as read (kept as JSON until the import is confirmed).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Staged {
    pub resources: Vec<RawRow>,
    pub plans: Vec<RawRow>,
}

/// Rows an upload may hold in all.
const MAX_ROWS: usize = 2000;

/// The columns of a sheet, as the reader looks for them.
fn columns(sheet: &[(&str, &'static str)]) -> Vec<&'static str> {
    sheet.iter().map(|(_, column)| *column).collect()
}

/// Reads both sheets of a workbook, or says why not (a catalogue key).
pub fn read(bytes: Vec<u8>) -> Result<Staged, &'static str> {
    let mut book = xlsx_in::open(bytes)?;
    let resources = xlsx_in::rows(
        &mut book,
        0,
        &columns(&RESOURCE_SHEET),
        &["item.category", "item.name"],
    )?;
    // The plans' sheet may be missing or empty.
    let plans = match xlsx_in::rows(
        &mut book,
        1,
        &columns(&PLAN_SHEET),
        &["plan.title", "plan.period"],
    ) {
        Err("import.empty") => Vec::new(),
        other => other?,
    };
    if resources.len() + plans.len() > MAX_ROWS {
        Err("import.too_many")
    } else if resources.is_empty() && plans.is_empty() {
        Err("import.empty")
    } else {
        Ok(Staged { resources, plans })
    }
}

/// A row after checking, with its errors as (column key, message key).
pub struct Checked {
    pub sheet: &'static str,
    pub row: usize,
    pub name: String,
    pub errors: Vec<(String, &'static str)>,
}

/// The item a row makes.
pub enum Parsed {
    Resource(ResourceInput),
    Plan(PlanInput),
}

/// What the page says of a row, and the item it makes when it has no error.
fn checked<T>(
    sheet: &'static str,
    columns: &[(&str, &str)],
    r: &RawRow,
    name: String,
    parsed: Result<T, FieldErrors>,
) -> (Checked, Option<T>) {
    let (errors, item) = match parsed {
        Ok(item) => (Vec::new(), Some(item)),
        Err(e) => (
            e.iter()
                .map(|(f, k)| (super::column_of(columns, f), k))
                .collect(),
            None,
        ),
    };
    let c = Checked {
        sheet,
        row: r.row,
        name,
        errors,
    };
    (c, item)
}

/// Checks every row; `units` are the network units a resource may name as its place.
pub fn check(staged: &Staged, units: &[(i64, String)]) -> Vec<(Checked, Option<Parsed>)> {
    let resources = staged.resources.iter().map(|r| {
        let form = ResourceForm::from_sheet(r, units);
        let parsed = form.parse(units);
        let (c, item) = checked("item.resources", &RESOURCE_SHEET, r, form.name, parsed);
        (c, item.map(Parsed::Resource))
    });
    let plans = staged.plans.iter().map(|r| {
        let form = PlanForm::from_sheet(r);
        let parsed = form.parse();
        let (c, item) = checked("item.plans", &PLAN_SHEET, r, form.title, parsed);
        (c, item.map(Parsed::Plan))
    });
    resources.chain(plans).collect()
}
