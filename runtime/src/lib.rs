//! # djust-runtime
//!
//! The runtime core of djust: the Django template language ([`template`]: one
//! lexer and parser shared by the renderer, the analyzer and the language server),
//! the virtual DOM ([`vdom`]), Django-compatible JSON ([`json`]) and byte spans
//! ([`span`]).
//!
//! Invariant: there is exactly one tokenizer for the Django template language in
//! this workspace, and it tokenizes exactly as Django's `django.template.base.Lexer`
//! does (see `docs/architecture.md`).

pub mod json;
pub mod span;
pub mod template;
pub mod vdom;

pub use span::{LineCol, LineIndex, Span};
