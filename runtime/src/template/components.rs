//! djust's component tags, always available in djust templates:
//!
//! - `{% live_component "app.components.Cart" id="cart" items=items %}`: a stateful
//!   `djust.LiveComponent`, kept by the LiveView under `id` between renders;
//! - `{% component "app.components.Badge" label=label %}`: a stateless
//!   `djust.Component` (a class and a template).
//!
//! The engine only parses them and hands the resolved arguments to the host
//! ([`Host::component`]); the Python package finds the class, mounts or updates the
//! instance and renders its template. The output is HTML, never escaped again; `as
//! var` stores it. Without a host (the engine used outside Django) the tag is a
//! render error that says so.

use super::error::{ErrorKind, Result, TemplateError};
use super::host::ComponentKind;
use super::host::Host;
use super::library::{CustomTag, Signature, TagCall, TagKind};
use super::value::Value;
use std::sync::Arc;

fn call(kind: ComponentKind, c: &TagCall<'_>) -> Result<Value> {
    let tag = kind.tag();
    let [component] = c.args.as_slice() else {
        return Err(TemplateError::new(
            ErrorKind::Render,
            format!(
                "'{tag}' takes one positional argument, the component's dotted path \
                 (\"app.components.Cart\"), then its props as name=value"
            ),
        ));
    };
    let host: &dyn Host = c.host.ok_or_else(|| {
        TemplateError::new(
            ErrorKind::Render,
            format!("'{tag}' needs djust's Django template backend (no host is connected)"),
        )
    })?;
    host.component(kind, component, &c.kwargs)
        .map(Value::safe)
        .map_err(|message| TemplateError::new(ErrorKind::Render, message))
}

fn tag(kind: ComponentKind, func: fn(&TagCall<'_>) -> Result<Value>) -> CustomTag {
    CustomTag {
        name: kind.tag().into(),
        library: None,
        kind: TagKind::Simple,
        signature: Signature {
            params: vec!["component".into()],
            defaults: 0,
            varargs: false,
            varkw: true,
            ..Signature::default()
        },
        takes_context: false,
        func: Arc::new(func),
    }
}

/// The `live_component` tag.
pub fn live_component_tag() -> CustomTag {
    tag(ComponentKind::Live, |c| call(ComponentKind::Live, c))
}

/// The `component` tag.
pub fn component_tag() -> CustomTag {
    tag(ComponentKind::Stateless, |c| call(ComponentKind::Stateless, c))
}
