//! The resources of an inventory, as a kind of item: where they may be, and their form.

use super::Kind;
use crate::cycle::forms::ResourceForm;
use crate::cycle::model::{POPULATIONS, RESOURCE_CATEGORIES, ResourceInput, SHARING};
use crate::cycle::repo::resources::ResourceItem;
use crate::cycle::repo::submissions::Submission;
use crate::db::Tx;
use crate::web::Ctx;
use crate::web::forms::{FieldErrors, Pairs};
use crate::web::save::Compared;
use askama::Template;

/// The inventory's resources.
pub struct Resources;

#[derive(Template)]
#[template(path = "cycle/resource_form.html")]
struct ResourceFormPage {
    ctx: Ctx,
    s: Submission,
    item: Option<i64>,
    form: ResourceForm,
    errors: FieldErrors,
    units: Vec<(i64, String)>,
    categories: &'static [&'static str],
    populations: &'static [&'static str],
    sharing: &'static [&'static str],
}

impl Kind for Resources {
    type Row = ResourceItem;
    type Form = ResourceForm;
    type Input = ResourceInput;
    /// The network units a resource may name as its place.
    type Choices = Vec<(i64, String)>;

    const LIST: &'static str = "resources";
    const NAME: &'static str = "resource";

    fn blank() -> ResourceForm {
        ResourceForm::blank()
    }

    fn typed(p: &Pairs) -> ResourceForm {
        ResourceForm::from_pairs(p)
    }

    fn saved(row: &ResourceItem) -> ResourceForm {
        ResourceForm::from_item(row)
    }

    fn version(form: &ResourceForm) -> i32 {
        form.version
    }

    fn title(row: &ResourceItem) -> String {
        row.name.clone()
    }

    async fn choices(tx: &mut Tx, s: &Submission) -> sqlx::Result<Vec<(i64, String)>> {
        crate::cycle::locations(tx, s).await
    }

    fn parse(form: &ResourceForm, units: &Self::Choices) -> Result<ResourceInput, FieldErrors> {
        form.parse(units)
    }

    fn compare(
        form: &ResourceForm,
        saved: &ResourceItem,
        units: &Self::Choices,
        ctx: &Ctx,
    ) -> Vec<Compared> {
        form.compare(saved, units, |key| ctx.tr(key))
    }

    fn page(
        ctx: Ctx,
        s: Submission,
        item: Option<i64>,
        form: ResourceForm,
        errors: FieldErrors,
        units: Self::Choices,
    ) -> impl Template {
        ResourceFormPage {
            ctx,
            s,
            item,
            form,
            errors,
            units,
            categories: &RESOURCE_CATEGORIES,
            populations: &POPULATIONS,
            sharing: &SHARING,
        }
    }
}
