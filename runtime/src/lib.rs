//! # djust-runtime
//!
//! The runtime core of djust. Today it owns the one Django-template lexer
//! ([`template::lexer`]) and the byte-span utilities ([`span`]) that every
//! consumer shares: the analyzer (`djust check`) uses it now; the template
//! renderer, the VDOM builder and the language server build on the same tokens.
//!
//! Invariant: there is exactly one tokenizer for the Django template language in
//! this workspace, and it tokenizes exactly as Django's `django.template.base.Lexer`
//! does (see `docs/architecture.md`).

pub mod json;
pub mod span;
pub mod template;

pub use span::{LineCol, LineIndex, Span};
