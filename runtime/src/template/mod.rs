//! The Django template language.
//!
//! [`lexer`] turns template source into [`lexer::Token`]s with byte spans, exactly
//! as Django 5.2's `django.template.base.Lexer` splits it. The parser and renderer
//! (issue: template engine) consume these tokens; so do the analyzer's template
//! rules and, later, the language server.

pub mod lexer;

pub use lexer::{tokenize, Token, TokenKind};
