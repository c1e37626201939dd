//! The Django template language.
//!
//! Pipeline: [`lexer`] (tokens with byte spans, exactly as Django splits them) →
//! [`parser`] (a node tree, strict for rendering or lenient for tools) → [`render`]
//! (the [`Engine`]: loaders, cache, context, inheritance, include). Values are
//! [`value::Value`]s; host objects are resolved lazily through [`value::Object`] and
//! [`ContextSource`]. [`filters`] holds the built-in filters.

pub mod components;
pub mod context;
pub mod dates;
pub mod engine;
pub mod error;
pub mod expr;
pub mod filters;
pub mod host;
pub mod html;
pub mod htmlparser;
pub mod humanize;
pub mod lexer;
pub mod library;
pub mod lorem;
pub mod nodes;
pub mod numbers;
pub mod parser;
pub mod paths;
pub mod pprint;
pub mod printf;
pub mod querydict;
pub mod render;
pub mod stack;
pub mod truncate;
pub mod urlize;
pub mod urls;
pub mod value;

pub use context::ContextSource;
pub use engine::{Engine, EngineOptions, Loader, Template};
pub use error::{ErrorKind, TemplateError};
pub use host::Host;
pub use lexer::{tokenize, Token, TokenKind};
pub use nodes::Node;
pub use parser::{parse, ParseOptions, Parsed};
pub use value::{Object, Value};
