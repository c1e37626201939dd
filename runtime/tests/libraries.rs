//! Tag libraries: `{% load %}` of whole libraries and of named tags and filters
//! (Django's `load` and `load_from_library`), and host tags that consume tokens
//! (Django's `@register.tag` compile functions) and write to the context.

use djust_runtime::template::error::Result;
use djust_runtime::template::library::{
    Arg, FilterDef, FilterFlags, HostCompile, HostCompiled, HostContext, HostNode, HostRendered, HostTag,
    TagDef,
};
use djust_runtime::template::{Engine, EngineOptions, ErrorKind, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

fn filter(name: &str, suffix: &'static str) -> FilterDef {
    FilterDef::new(
        name,
        Arg::None,
        FilterFlags::default(),
        Arc::new(move |v, _, _| Ok(Value::str(format!("{}{suffix}", v.to_py_str())))),
    )
}

fn engine() -> Engine {
    let mut engine = Engine::new(Vec::new(), EngineOptions::default());
    let r = engine.registry_mut();
    r.register_library_filter("lib", filter("one", "-1"));
    r.register_library_filter("lib", filter("two", "-2"));
    r.register_library_filter("other", filter("one", "-other"));
    engine
}

/// The error of a render that must fail.
fn failure(result: std::result::Result<String, String>) -> String {
    match result {
        Ok(out) => panic!("rendered {out:?}, expected an error"),
        Err(e) => e,
    }
}

fn render(engine: &Engine, source: &str) -> std::result::Result<String, String> {
    let ctx: HashMap<String, Value> = [("v".to_string(), Value::str("x"))].into_iter().collect();
    engine.render_str(source, &ctx).map_err(|e| e.message)
}

#[test]
fn load_from_brings_in_only_the_named_filters() {
    let e = engine();
    assert_eq!(render(&e, "{% load one from lib %}{{ v|one }}"), Ok("x-1".into()));
    let err = failure(render(&e, "{% load one from lib %}{{ v|two }}"));
    assert!(err.contains("Invalid filter: 'two'"), "{err}");
    assert_eq!(
        render(&e, "{% load one two from lib %}{{ v|one }}{{ v|two }}"),
        Ok("x-1x-2".into())
    );
    let err = failure(render(&e, "{% load three from lib %}"));
    assert_eq!(err, "'three' is not a valid tag or filter in tag library 'lib'");
    let err = failure(render(&e, "{% load one from nope %}"));
    assert!(
        err.starts_with("'nope' is not a registered tag library. Must be one of:\nlib\nother"),
        "{err}"
    );
}

#[test]
fn a_later_load_overrides_an_earlier_filter_of_the_same_name() {
    let e = engine();
    assert_eq!(
        render(&e, "{% load lib other %}{{ v|one }}"),
        Ok("x-other".into())
    );
    assert_eq!(
        render(&e, "{% load other %}{% load lib %}{{ v|one }}"),
        Ok("x-1".into())
    );
}

/// `{% shout %}…{% endshout %}`: the compile function consumes the body's tokens
/// itself; the node renders the raw body upper-cased and binds `shouted`.
struct Shout {
    compiled_at: Mutex<Vec<(usize, usize)>>,
}

#[derive(Debug)]
struct ShoutNode(String);

impl HostTag for Shout {
    fn compile(&self, call: &HostCompile<'_>) -> Result<HostCompiled> {
        let rest = &call.tokens[call.at..];
        let end = rest
            .iter()
            .position(|t| t.content(call.source) == "endshout")
            .ok_or_else(|| djust_runtime::template::TemplateError::syntax("no endshout", rest[0].span))?;
        let body: String = rest[1..end].iter().map(|t| t.span.slice(call.source)).collect();
        if let Ok(mut seen) = self.compiled_at.lock() {
            seen.push((call.at, (call.line)(rest[0].span.start)));
        }
        Ok(HostCompiled {
            node: Arc::new(ShoutNode(body)),
            consumed: end + 1,
        })
    }
}

impl HostNode for ShoutNode {
    fn render(&self, context: &HostContext<'_>) -> Result<HostRendered> {
        let who = context
            .bound
            .iter()
            .rev()
            .find(|(k, _)| &**k == "who")
            .map(|(_, v)| v.to_py_str())
            .or_else(|| context.root.get("v").map(|v| v.to_py_str()))
            .unwrap_or_default();
        Ok(HostRendered {
            output: format!("{}/{who}", self.0.to_uppercase()),
            writes: vec![("shouted".into(), Value::Bool(true))],
        })
    }
}

#[test]
fn a_host_tag_consumes_its_tokens_sees_the_bound_names_and_writes_back() {
    let mut e = engine();
    let shout = Arc::new(Shout {
        compiled_at: Mutex::new(Vec::new()),
    });
    e.registry_mut()
        .register_tag_def(Some("loud"), "shout".into(), TagDef::Host(shout.clone()));
    let src = "a\n{% load loud %}{% with who='me' %}{% shout %}{{ not_rendered }} {% if %}{% endshout %}[{{ shouted }}]{% endwith %}[{{ shouted }}]{% shout %}b{% endshout %}";
    // The write is scoped as Django's `context[name] = value` is: gone after `endwith`.
    assert_eq!(
        render(&e, src),
        Ok("a\n{{ NOT_RENDERED }} {% IF %}/me[True][]B/x".into())
    );
    let seen = shout.compiled_at.lock().map(|s| s.clone()).unwrap_or_default();
    assert_eq!(seen.iter().map(|(_, line)| *line).collect::<Vec<_>>(), vec![2, 2]);
    // Without the load, the tag is unknown.
    let Err(err) = e.render_str("{% shout %}{% endshout %}", &HashMap::<String, Value>::new()) else {
        panic!("an unloaded host tag compiled");
    };
    assert_eq!(err.kind, ErrorKind::Syntax);
    assert!(
        err.message.contains("Invalid block tag on line 1: 'shout'"),
        "{}",
        err.message
    );
}
