//! Differential test against Django 5.2: every case of `tests/django/corpus.json` is
//! rendered by this engine and compared byte for byte with what Django rendered
//! (`tests/django/expected.json`, produced by `scripts/django_render.py`; `.ci/run`
//! regenerates it with Django and fails if it changed).
//!
//! Errors are compared too: `TemplateSyntaxError` by its exact message,
//! `TemplateDoesNotExist` by class, and Python exceptions raised while rendering
//! (`TypeError`, `ValueError`, `VariableDoesNotExist`, …) as render errors.

use djust_runtime::template::querydict::QueryDict;
use djust_runtime::template::ContextSource;
use djust_runtime::template::{dates, Engine, EngineOptions, ErrorKind, Host, Loader, Value};
use serde_json::Value as Json;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

fn to_value(j: &Json) -> Value {
    match j {
        Json::Null => Value::None,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) if !n.to_string().contains(['.', 'e', 'E']) => Value::Int(i),
            _ => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        Json::String(s) => Value::str(s.as_str()),
        Json::Array(a) => Value::list(a.iter().map(to_value).collect()),
        Json::Object(o) => {
            if o.len() == 1 {
                if let Some(Json::String(d)) = o.get("$decimal") {
                    return Value::Decimal(Arc::from(d.as_str()));
                }
                if let Some(Json::Array(items)) = o.get("$tuple") {
                    return Value::Tuple(Arc::new(items.iter().map(to_value).collect()));
                }
                if let Some(Json::String(s)) = o.get("$safe") {
                    return Value::safe(s.as_str());
                }
                if let Some(Json::String(q)) = o.get("$querydict") {
                    return Value::Object(Arc::new(QueryDict::parse(q)));
                }
                if let Some(v) = o.get("$date").and_then(Json::as_str).and_then(dates::Date::parse) {
                    return Value::Date(v);
                }
                if let Some(v) = o
                    .get("$datetime")
                    .and_then(Json::as_str)
                    .and_then(dates::DateTime::parse)
                {
                    return Value::DateTime(v);
                }
                if let Some(v) = o.get("$time").and_then(Json::as_str).and_then(dates::Time::parse) {
                    return Value::Time(v);
                }
            }
            Value::dict(o.iter().map(|(k, v)| (k.as_str(), to_value(v))))
        }
    }
}

/// `settings.LANGUAGES` in scripts/django_render.py.
const LANGUAGES: &[(&str, &str)] = &[
    ("en", "English"),
    ("de", "German"),
    ("ar", "Arabic"),
    ("pt-br", "Brazilian Portuguese"),
];

/// Part of `django.conf.locale.LANG_INFO`: code, fallback, name, local name, bidi.
type LangInfo = (
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    bool,
);
const LANG_INFO: &[LangInfo] = &[
    ("en", None, "English", "English", false),
    ("de", None, "German", "Deutsch", false),
    ("ar", None, "Arabic", "العربيّة", true),
    (
        "pt-br",
        None,
        "Brazilian Portuguese",
        "Português Brasileiro",
        false,
    ),
    ("fr", None, "French", "français", false),
    ("he", None, "Hebrew", "עברית", true),
    ("zh-hans", None, "Simplified Chinese", "简体中文", false),
    ("zh-cn", Some("zh-hans"), "", "", false),
];

/// A case's context: its values, and `context.request` when the case has one.
struct CaseContext {
    values: Value,
    request: Option<Value>,
}

impl ContextSource for CaseContext {
    fn get(&self, name: &str) -> Option<Value> {
        self.values.get(name)
    }
    fn request(&self) -> Option<Value> {
        self.request.clone()
    }
}

/// Mirrors the URLconf of scripts/django_render.py: `int` and `str` converters, and
/// `reverse`'s quoting of the result.
struct CorpusHost;

impl Host for CorpusHost {
    fn reverse(
        &self,
        name: &str,
        args: &[Value],
        kwargs: &[(String, Value)],
        _: Option<&str>,
    ) -> Result<String, String> {
        let arg = |key: &str| -> Option<String> {
            match (args, kwargs) {
                ([a], []) => Some(a.to_py_str()),
                ([], [(k, v)]) if k == key => Some(v.to_py_str()),
                _ => None,
            }
        };
        let quote = |s: &str| djust_runtime::template::urls::quote(s, "!$&'()*+,;=/~:@");
        let no_match = || Err(format!("Reverse for '{name}' not found."));
        match name {
            "home" if args.is_empty() && kwargs.is_empty() => Ok("/".into()),
            "amp" if args.is_empty() && kwargs.is_empty() => Ok("/a&b/".into()),
            "product" => match arg("pk") {
                Some(pk) if !pk.is_empty() && pk.bytes().all(|b| b.is_ascii_digit()) => {
                    Ok(format!("/products/{pk}/"))
                }
                _ => no_match(),
            },
            "search" => match arg("q") {
                Some(q) if !q.is_empty() && !q.contains('/') => Ok(quote(&format!("/search/{q}/"))),
                _ => no_match(),
            },
            _ => no_match(),
        }
    }

    /// scripts/django_render.py's `MEDIA_URL`, through `iri_to_uri`.
    fn media_prefix(&self) -> String {
        "/media/%3C&%3E/".into()
    }

    /// scripts/django_render.py's `LANGUAGES`.
    fn available_languages(&self) -> Vec<(String, String)> {
        LANGUAGES
            .iter()
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .collect()
    }

    /// Django's `get_language_info` over a slice of `django.conf.locale.LANG_INFO`.
    fn language_info(&self, code: &str) -> Result<Value, String> {
        let entry = |c: &str| LANG_INFO.iter().find(|e| e.0 == c);
        let found = match entry(code) {
            Some((_, Some(fallback), ..)) => entry(fallback),
            Some(e) => Some(e),
            None => {
                let Some((generic, _)) = code.split_once('-') else {
                    return Err(format!("Unknown language code {code}."));
                };
                Some(entry(generic).ok_or(format!("Unknown language code {code} and {generic}."))?)
            }
        };
        let (c, _, name, local, bidi) = found.ok_or("broken fallback")?;
        Ok(Value::dict([
            ("bidi", Value::Bool(*bidi)),
            ("code", Value::str(*c)),
            ("name", Value::str(*name)),
            ("name_local", Value::str(*local)),
            ("name_translated", Value::str(*name)),
        ]))
    }

    fn static_url(&self, path: &str) -> String {
        format!("/static/{}", djust_runtime::template::urls::quote(path, "/"))
    }
}

/// The same tags scripts/django_render.py registers in its `corpus_tags` library.
fn register_corpus_tags(engine: &mut Engine) {
    use djust_runtime::template::library::{CustomTag, Signature, TagCall, TagKind};
    let sig = |params: &[&str], defaults: usize, varargs: bool, varkw: bool| Signature {
        params: params.iter().map(|p| p.to_string()).collect(),
        defaults,
        varargs,
        varkw,
        ..Signature::default()
    };
    let arg = |c: &TagCall<'_>, i: usize, name: &str, default: Option<Value>| -> Value {
        c.args
            .get(i)
            .cloned()
            .or_else(|| c.kwargs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
            .or(default)
            .unwrap_or_default()
    };
    let tags: Vec<(
        &str,
        TagKind,
        Signature,
        bool,
        djust_runtime::template::library::TagFn,
    )> = vec![
        (
            "hello",
            TagKind::Simple,
            sig(&["name"], 0, false, false),
            false,
            Arc::new(move |c| {
                Ok(Value::str(format!(
                    "Hello {}!",
                    arg(c, 0, "name", None).to_py_str()
                )))
            }),
        ),
        (
            "greet",
            TagKind::Simple,
            sig(&["greeting", "name"], 1, false, false),
            false,
            Arc::new(move |c| {
                // Python raises TypeError when the required `greeting` is missing.
                if c.args.is_empty() && !c.kwargs.iter().any(|(k, _)| k == "greeting") {
                    return Err(djust_runtime::template::TemplateError::new(
                        ErrorKind::Render,
                        "greet() missing 1 required positional argument: 'greeting'",
                    ));
                }
                Ok(Value::str(format!(
                    "{}, {}",
                    arg(c, 0, "greeting", None).to_py_str(),
                    arg(c, 1, "name", Some(Value::str("World"))).to_py_str()
                )))
            }),
        ),
        (
            "count_all",
            TagKind::Simple,
            sig(&[], 0, true, true),
            false,
            Arc::new(|c| {
                let mut keys: Vec<String> = c.kwargs.iter().map(|(k, _)| k.clone()).collect();
                keys.sort();
                let keys = Value::list(keys.into_iter().map(Value::str).collect());
                Ok(Value::str(format!("{} args, {}", c.args.len(), keys.to_py_str())))
            }),
        ),
        (
            "raw_html",
            TagKind::Simple,
            sig(&[], 0, false, false),
            false,
            Arc::new(|_| Ok(Value::str("<b>raw</b>"))),
        ),
        (
            "safe_html",
            TagKind::Simple,
            sig(&[], 0, false, false),
            false,
            Arc::new(|_| Ok(Value::safe("<b>safe</b>"))),
        ),
        (
            "whoami",
            TagKind::Simple,
            sig(&[], 0, false, false),
            true,
            Arc::new(|c| {
                Ok(c.context
                    .and_then(|get| get("user"))
                    .unwrap_or_else(|| Value::str("anonymous")))
            }),
        ),
        (
            "show_items",
            TagKind::Inclusion(Value::str("items.html")),
            sig(&["items", "title"], 1, false, false),
            false,
            Arc::new(move |c| {
                Ok(Value::dict([
                    ("items", arg(c, 0, "items", None)),
                    ("title", arg(c, 1, "title", Some(Value::str("Items")))),
                ]))
            }),
        ),
        (
            "shout",
            TagKind::Block("endshout".into()),
            sig(&[], 0, false, false),
            false,
            Arc::new(|c| {
                // SafeString.upper() returns a plain str in Python.
                let body = c.content.clone().unwrap_or_default();
                Ok(Value::str(body.to_py_str().to_uppercase()))
            }),
        ),
        (
            "wrap",
            TagKind::Block("endwrap".into()),
            sig(&["tag"], 1, false, false),
            false,
            Arc::new(move |c| {
                let tag = djust_runtime::template::html::conditional_escape(&arg(
                    c,
                    0,
                    "tag",
                    Some(Value::str("div")),
                ));
                let body =
                    djust_runtime::template::html::conditional_escape(&c.content.clone().unwrap_or_default());
                Ok(Value::safe(format!("<{tag}>{body}</{tag}>")))
            }),
        ),
    ];
    for (name, kind, signature, takes_context, func) in tags {
        engine.registry_mut().register_tag(CustomTag {
            name: name.into(),
            library: Some("corpus_tags".into()),
            kind,
            signature,
            takes_context,
            func,
        });
    }
}

fn load(name: &str) -> Json {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/django")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn renders_like_django() {
    let corpus = load("corpus.json");
    let expected = load("expected.json");
    assert_eq!(
        expected["django"].as_str().map(|v| v.starts_with("5.2")),
        Some(true)
    );
    let contexts = &corpus["contexts"];
    let template_sets = &corpus["templates"];
    let cases = corpus["cases"].as_array().cloned().unwrap_or_default();
    assert!(cases.len() >= 1500, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let want = &expected["cases"][name];
        let templates = match &case["templates"] {
            Json::String(s) => template_sets[s.as_str()].clone(),
            other => other.clone(),
        };
        let templates: HashMap<String, String> = templates
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let context = match &case["context"] {
            Json::String(s) => contexts[s.as_str()].clone(),
            other => other.clone(),
        };
        let context = CaseContext {
            values: to_value(&context),
            // Rendered as a RequestContext whose request.GET is this QueryDict.
            request: case["request_get"]
                .as_str()
                .map(|q| Value::dict([("GET", Value::Object(Arc::new(QueryDict::parse(q))))])),
        };
        let options = EngineOptions {
            string_if_invalid: case["string_if_invalid"].as_str().unwrap_or("").to_string(),
            autoescape: case["autoescape"].as_bool().unwrap_or(true),
            ..EngineOptions::default()
        };
        let mut engine = Engine::new(vec![Loader::Memory(templates)], options);
        engine.set_host(Arc::new(CorpusHost));
        register_corpus_tags(&mut engine);
        let result = match case["main"].as_str() {
            Some(main) => engine
                .get_template(main)
                .and_then(|t| engine.render(&t, &context)),
            None => engine.render_str(case["template"].as_str().unwrap_or(""), &context),
        };
        let verdict = match (&result, want.get("ok"), want.get("error")) {
            (Ok(got), Some(Json::String(ok)), _) if got == ok => None,
            (Ok(got), Some(Json::String(ok)), _) => Some(format!("rendered {got:?}\n      django {ok:?}")),
            (Ok(got), _, Some(err)) => Some(format!("rendered {got:?}\n      django raised {err}")),
            (Ok(_), _, None) => Some("no expected result: regenerate expected.json".to_string()),
            (Err(e), _, Some(err)) => {
                let class = err["class"].as_str().unwrap_or("");
                let message = err["message"].as_str().unwrap_or("");
                match (class, e.kind) {
                    ("TemplateSyntaxError", ErrorKind::Syntax) if e.message == message => None,
                    ("TemplateSyntaxError", _) => Some(format!(
                        "raised {:?} {:?}\n      django TemplateSyntaxError {message:?}",
                        e.kind, e.message
                    )),
                    ("TemplateDoesNotExist", ErrorKind::NotFound) => None,
                    ("ValueError", ErrorKind::Value) => None,
                    ("AttributeError", ErrorKind::Attribute) => None,
                    (
                        "TypeError"
                        | "ValueError"
                        | "AttributeError"
                        | "KeyError"
                        | "VariableDoesNotExist"
                        | "ZeroDivisionError"
                        | "IndexError"
                        | "NoReverseMatch"
                        | "AssertionError",
                        ErrorKind::Render,
                    ) => None,
                    _ => Some(format!(
                        "raised {:?} {:?}\n      django {class} {message:?}",
                        e.kind, e.message
                    )),
                }
            }
            (Err(e), _, _) => Some(format!(
                "raised {:?} {:?}\n      django rendered {want}",
                e.kind, e.message
            )),
        };
        if let Some(v) = verdict {
            failures.push(format!(
                "{name}\n      template {:?}\n      {v}",
                case["template"].as_str().unwrap_or("")
            ));
        }
    }
    let limit = std::env::var("DJUST_SHOW_FAILURES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let shown: Vec<&String> = failures.iter().take(limit).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Django:\n{}",
        failures.len(),
        cases.len(),
        shown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
    );
}

/// Every built-in tag and filter of Django (and of its `i18n` and `static`
/// libraries), as the reference run lists them, is implemented and used by at least
/// one corpus case.
#[test]
fn corpus_covers_every_builtin_tag_and_filter() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/django");
    let read = |name: &str| -> Json {
        let text = std::fs::read_to_string(root.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let (corpus, expected) = (read("corpus.json"), read("expected.json"));
    let mut sources: Vec<String> = Vec::new();
    for case in corpus["cases"].as_array().into_iter().flatten() {
        sources.extend(case["template"].as_str().map(String::from));
    }
    for set in corpus["templates"]
        .as_object()
        .into_iter()
        .flat_map(|o| o.values())
    {
        sources.extend(
            set.as_object()
                .into_iter()
                .flat_map(|o| o.values())
                .filter_map(|v| v.as_str().map(String::from)),
        );
    }
    let all = sources.join("\n");
    let names = |kind: &str| -> Vec<String> {
        expected["builtins"][kind]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(String::from))
            .collect()
    };
    let (filters, tags) = (names("filters"), names("tags"));
    assert!(
        filters.len() >= 57 && tags.len() >= 25,
        "{} filters, {} tags",
        filters.len(),
        tags.len()
    );
    let mut engine = Engine::new(vec![], EngineOptions::default());
    engine.set_host(Arc::new(CorpusHost));
    let missing_filters: Vec<&String> = filters
        .iter()
        .filter(|f| !all.contains(&format!("|{f}")) && !all.contains(&format!("|{f}:")))
        .collect();
    let missing_tags: Vec<&String> = tags
        .iter()
        .filter(|t| !all.contains(&format!("{{% {t}")))
        .collect();
    assert!(
        missing_filters.is_empty(),
        "filters never used by the corpus: {missing_filters:?}"
    );
    assert!(
        missing_tags.is_empty(),
        "tags never used by the corpus: {missing_tags:?}"
    );
    // And each filter resolves in our engine (library filters after `{% load %}`).
    for f in &filters {
        let src = format!("{{% load i18n static %}}{{{{ x|{f} }}}}");
        let parsed = engine.compile(&src, None);
        let unknown = matches!(&parsed, Err(e) if e.message.starts_with("Invalid filter"));
        assert!(!unknown, "filter {f} is not implemented");
    }
}
