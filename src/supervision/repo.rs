//! SQL for supervision, by what it reads: frameworks and their indicators, rounds and their
//! units, scores and evidence, the computed indicators, rectification items and the survey.
//! Handlers call these functions; row-level security keeps every statement in the district.

mod computed;
mod evidence;
mod frameworks;
mod rectification;
mod rounds;
mod scores;
mod survey;

pub use computed::{Computed, computed, computed_for};
pub use evidence::*;
pub use frameworks::*;
pub use rectification::*;
pub use rounds::*;
pub use scores::*;
pub use survey::*;
