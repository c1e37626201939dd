//! The summaries the rules read: one per file, built from its one parse and kept
//! instead of the tree. Parsing code (`python`, `template`) builds them; rules depend on
//! these types only.

pub mod imports;
pub mod python;
pub mod sorted;
pub mod span;
pub mod template;
