//! One file per rule, ruff-style: each declares its violation type (whose doc
//! comment is the rule's documentation) and the function that finds it.

pub mod e001;
pub mod e002;
pub mod e003;
pub mod e004;
pub mod q001;
pub mod q002;
pub mod s001;
pub mod s002;
pub mod s003;
pub mod t002;
pub mod t005;
pub mod t101;
pub mod t102;
pub mod v006;
pub mod v007;
