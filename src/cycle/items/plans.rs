//! The activities of an action plan, as a kind of item: their form, which offers nothing to
//! read from the database.

use super::Kind;
use crate::cycle::forms::PlanForm;
use crate::cycle::model::{PERIODS, PLAN_CATEGORIES, POPULATIONS, PlanInput};
use crate::cycle::repo::plans::PlanItem;
use crate::cycle::repo::submissions::Submission;
use crate::db::Tx;
use crate::web::Ctx;
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::save::Compared;
use askama::Template;

/// The action plan's activities.
pub struct Plans;

#[derive(Template)]
#[template(path = "cycle/plan_form.html")]
struct PlanFormPage {
    ctx: Ctx,
    s: Submission,
    item: Option<i64>,
    form: PlanForm,
    errors: FieldErrors,
    categories: &'static [&'static str],
    populations: &'static [&'static str],
    periods: &'static [&'static str],
}

impl Kind for Plans {
    type Row = PlanItem;
    type Form = PlanForm;
    type Input = PlanInput;
    type Choices = ();

    const LIST: &'static str = "plans";
    const NAME: &'static str = "plan";

    fn blank() -> PlanForm {
        PlanForm::blank()
    }

    fn typed(p: &Pairs) -> PlanForm {
        PlanForm::from_pairs(p)
    }

    fn saved(row: &PlanItem) -> PlanForm {
        PlanForm::from_item(row)
    }

    fn version(form: &PlanForm) -> i32 {
        form.version
    }

    fn title(row: &PlanItem) -> String {
        row.title.clone()
    }

    async fn choices(_: &mut Tx, _: &Submission) -> sqlx::Result<()> {
        Ok(())
    }

    fn parse(form: &PlanForm, _: &()) -> Result<PlanInput, FieldErrors> {
        form.parse()
    }

    fn compare(form: &PlanForm, saved: &PlanItem, _: &(), ctx: &Ctx) -> Vec<Compared> {
        form.compare(saved, |key| ctx.tr(key))
    }

    fn page(
        ctx: Ctx,
        s: Submission,
        item: Option<i64>,
        form: PlanForm,
        errors: FieldErrors,
        _: (),
    ) -> impl Template {
        PlanFormPage {
            ctx,
            s,
            item,
            form,
            errors,
            categories: &PLAN_CATEGORIES,
            populations: &POPULATIONS,
            periods: &PERIODS,
        }
    }
}
