//! One file per rule, ruff-style: each declares its violation type (whose doc
//! comment is the rule's documentation) and the function that finds it.

pub mod a001;
pub mod c001;
pub mod c002;
pub mod c003;
pub mod c004;
pub mod c005;
pub mod e001;
pub mod e002;
pub mod e003;
pub mod e004;
pub mod q001;
pub mod q002;
pub mod s001;
pub mod s002;
pub mod s003;
pub mod s004;
pub mod t001;
pub mod t002;
pub mod t005;
pub mod t013;
pub mod t014;
pub mod t015;
pub mod t017;
pub mod t101;
pub mod t102;
pub mod v001;
pub mod v003;
pub mod v004;
pub mod v006;
pub mod v007;

use crate::finding::{FileId, Finding};
use crate::template::TemplateDoc;

/// A per-file template rule: one signature, every rule listed once in
/// [`TEMPLATE_RULES`] and called from one place (`load`).
pub type TemplateRule = fn(FileId, &TemplateDoc, &mut Vec<Finding>);

/// The per-file template rules.
pub const TEMPLATE_RULES: &[TemplateRule] = &[
    t001::check,
    t005::check,
    t013::check,
    t014::check,
    t015::check,
    t017::check,
    e004::check,
];
