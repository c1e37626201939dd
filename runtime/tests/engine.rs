//! Engine behaviour beyond single renders: loaders, rejected names, bounded recursion,
//! error locations, compile-once caching and lazy context resolution.

use djust_runtime::template::{ContextSource, Engine, EngineOptions, ErrorKind, Loader, Object, Value};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

fn memory(templates: &[(&str, &str)]) -> Engine {
    let map = templates
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Engine::new(vec![Loader::Memory(map)], EngineOptions::default())
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("djust-engine-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

fn empty() -> HashMap<String, Value> {
    HashMap::new()
}

#[test]
fn directory_loader_searches_in_order_and_rejects_escaping_names() {
    let root = tempdir("dirs");
    let (a, b) = (root.join("a"), root.join("b"));
    for (dir, body) in [(&a, "from a"), (&b, "from b")] {
        std::fs::create_dir_all(dir.join("shop")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.join("shop/page.html"), body).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(b.join("only_b.html"), "{% include 'shop/page.html' %}!")
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(root.join("secret.html"), "secret").unwrap_or_else(|e| panic!("{e}"));
    let engine = Engine::new(
        vec![Loader::Directories(vec![a.clone(), b.clone()])],
        EngineOptions::default(),
    );
    let render = |name: &str| {
        engine
            .get_template(name)
            .and_then(|t| engine.render(&t, &empty()))
    };
    assert_eq!(render("shop/page.html").ok().as_deref(), Some("from a"));
    assert_eq!(render("only_b.html").ok().as_deref(), Some("from a!"));
    assert_eq!(
        render("missing.html").map_err(|e| e.kind),
        Err(ErrorKind::NotFound)
    );
    for bad in ["../secret.html", "shop/../../secret.html", "/etc/passwd"] {
        let err = render(bad).err().map(|e| e.kind);
        assert_eq!(err, Some(ErrorKind::SuspiciousName), "{bad}");
    }
}

#[test]
fn include_and_extends_recursion_is_bounded_with_a_clear_error() {
    let engine = memory(&[
        ("self.html", "x{% include 'self.html' %}"),
        ("a.html", "{% extends 'b.html' %}"),
        ("b.html", "{% extends 'a.html' %}"),
        (
            "tree.html",
            "{{ node.name }}{% for node in node.children %}({% include 'tree.html' %}){% endfor %}",
        ),
    ]);
    let t = engine.get_template("self.html").unwrap_or_else(|e| panic!("{e}"));
    let err = engine
        .render(&t, &empty())
        .err()
        .unwrap_or_else(|| panic!("no error"));
    assert_eq!(err.kind, ErrorKind::Recursion);
    assert!(err.message.contains("includes itself"), "{}", err.message);
    let t = engine.get_template("a.html").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        engine.render(&t, &empty()).err().map(|e| e.kind),
        Some(ErrorKind::Recursion)
    );
    // Legitimate recursion (a tree) renders.
    let leaf = |n: &str| Value::dict([("name", Value::str(n)), ("children", Value::list(vec![]))]);
    let tree = Value::dict([
        ("name", Value::str("root")),
        ("children", Value::list(vec![leaf("a"), leaf("b")])),
    ]);
    let ctx: HashMap<String, Value> = [("node".to_string(), tree)].into();
    let t = engine.get_template("tree.html").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(engine.render(&t, &ctx).ok().as_deref(), Some("root(a)(b)"));
}

#[test]
fn errors_carry_template_name_line_column_and_span() {
    let src = "<ul>\n  {% for x in items %}\n    {{ x|nosuchfilter }}\n  {% endfor %}\n</ul>";
    let engine = memory(&[("list.html", src)]);
    let err = engine
        .get_template("list.html")
        .err()
        .unwrap_or_else(|| panic!("no error"));
    assert_eq!(err.kind, ErrorKind::Syntax);
    assert_eq!(err.message, "Invalid filter: 'nosuchfilter'");
    assert_eq!(err.template.as_deref(), Some("list.html"));
    assert_eq!((err.line, err.column), (Some(3), Some(10)));
    let span = err.span.unwrap_or_default();
    assert_eq!(&src[span.start..span.end], "nosuchfilter");
    assert_eq!(
        err.to_string(),
        "Invalid filter: 'nosuchfilter' (in list.html at 3:10)"
    );

    let engine = memory(&[("u.html", "a\n{% if x %}\nb")]);
    let err = engine
        .get_template("u.html")
        .err()
        .unwrap_or_else(|| panic!("no error"));
    assert_eq!(
        err.message,
        "Unclosed tag on line 2: 'if'. Looking for one of: elif, else, endif."
    );
    assert_eq!((err.line, err.column), (Some(2), Some(1)));

    // Render errors in an included template name that template.
    let engine = memory(&[
        ("outer.html", "{% include 'inner.html' %}"),
        ("inner.html", "\n{% for x in n %}{% endfor %}"),
    ]);
    let t = engine
        .get_template("outer.html")
        .unwrap_or_else(|e| panic!("{e}"));
    let ctx: HashMap<String, Value> = [("n".to_string(), Value::Int(3))].into();
    let err = engine
        .render(&t, &ctx)
        .err()
        .unwrap_or_else(|| panic!("no error"));
    assert_eq!(err.template.as_deref(), Some("inner.html"));
    assert_eq!(err.line, Some(2));
}

#[test]
fn templates_compile_once_and_render_many_times() {
    let engine = memory(&[("p.html", "{{ n }}")]);
    let a = engine.get_template("p.html").unwrap_or_else(|e| panic!("{e}"));
    let b = engine.get_template("p.html").unwrap_or_else(|e| panic!("{e}"));
    assert!(Arc::ptr_eq(&a, &b), "the second load comes from the cache");
    for i in 0..3 {
        let ctx: HashMap<String, Value> = [("n".to_string(), Value::Int(i))].into();
        assert_eq!(engine.render(&a, &ctx).ok(), Some(i.to_string()));
    }
}

/// Counts which top-level names the renderer asks for.
struct Counting {
    asked: Mutex<Vec<String>>,
    user: Value,
}

impl ContextSource for Counting {
    fn get(&self, name: &str) -> Option<Value> {
        self.asked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(name.to_string());
        match name {
            "user" => Some(self.user.clone()),
            "huge" => panic!("the renderer must not touch names the template does not use"),
            _ => None,
        }
    }
}

/// A host object that records attribute lookups.
#[derive(Debug)]
struct Recorder {
    seen: Arc<Mutex<Vec<String>>>,
}

impl Object for Recorder {
    fn get_attr(&self, name: &str) -> Option<Value> {
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(name.to_string());
        match name {
            "email" => Some(Value::str("a@example.com")),
            "profile" => Some(Value::Object(Arc::new(Recorder {
                seen: self.seen.clone(),
            }))),
            _ => None,
        }
    }
    fn to_py_str(&self) -> String {
        "<User>".into()
    }
}

#[test]
fn context_is_resolved_lazily() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let source = Counting {
        asked: Mutex::new(Vec::new()),
        user: Value::Object(Arc::new(Recorder { seen: seen.clone() })),
    };
    let engine = memory(&[]);
    let out = engine
        .render_str("{{ user.email }} {{ user.profile.email }}", &source)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out, "a@example.com a@example.com");
    assert_eq!(
        *source.asked.lock().unwrap_or_else(|p| p.into_inner()),
        vec!["user", "user"]
    );
    assert_eq!(
        *seen.lock().unwrap_or_else(|p| p.into_inner()),
        vec!["email", "profile", "email"]
    );
}

#[test]
fn random_lorem_draws_from_the_vocabulary() {
    use djust_runtime::template::lorem::WORDS;
    let engine = memory(&[]);
    let out = engine
        .render_str("{% lorem 5 w random %}", &empty())
        .unwrap_or_else(|e| panic!("{e}"));
    let words: Vec<&str> = out.split(' ').collect();
    assert_eq!(words.len(), 5, "{out}");
    assert!(words.iter().all(|w| WORDS.contains(w)), "{out}");
    let paras = engine
        .render_str("{% lorem 3 p random %}", &empty())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(paras.matches("<p>").count(), 3, "{paras}");
    assert!(
        !paras.starts_with("<p>Lorem ipsum dolor sit amet"),
        "random skips the common paragraph"
    );
}

/// A host with a tiny German catalog.
struct German;

impl djust_runtime::template::Host for German {
    fn reverse(
        &self,
        name: &str,
        _: &[Value],
        _: &[(String, Value)],
        _: Option<&str>,
    ) -> Result<String, String> {
        Err(format!("no route {name}"))
    }
    fn static_url(&self, path: &str) -> String {
        format!("/s/{path}")
    }
    fn translate(&self, message: &str, context: Option<&str>, language: Option<&str>) -> Option<String> {
        match (message, context, language.unwrap_or("de")) {
            ("Hello", None, "de") => Some("Hallo".into()),
            ("May", Some("month"), "de") => Some("Mai".into()),
            ("Dear %(name)s", None, "de") => Some("Liebe(r) %(name)s".into()),
            _ => None,
        }
    }
    fn translate_plural(
        &self,
        singular: &str,
        _: &str,
        count: &Value,
        _: Option<&str>,
        _: Option<&str>,
    ) -> Option<String> {
        (singular == "%(c)s apple").then(|| {
            if count.py_eq(&Value::Int(1)) {
                "%(c)s Apfel"
            } else {
                "%(c)s Äpfel"
            }
            .to_string()
        })
    }
    fn language(&self) -> String {
        "de".into()
    }
}

#[test]
fn host_translations_are_used_with_django_semantics() {
    let mut engine = memory(&[]);
    engine.set_host(Arc::new(German));
    let ctx: HashMap<String, Value> = [
        ("name".to_string(), Value::str("<Ann>")),
        ("n".to_string(), Value::Int(3)),
        ("msg".to_string(), Value::str("Hello")),
    ]
    .into();
    let render = |src: &str| {
        engine
            .render_str(src, &ctx)
            .unwrap_or_else(|e| panic!("{src}: {e}"))
    };
    assert_eq!(render("{% load i18n %}{% translate 'Hello' %}"), "Hallo");
    assert_eq!(render("{% load i18n %}{% translate msg %}"), "Hallo");
    assert_eq!(
        render("{% load i18n %}{% translate 'May' context 'month' %} {% translate 'May' %}"),
        "Mai May"
    );
    assert_eq!(
        render("{% load i18n %}{% language 'fr' %}{% translate 'Hello' %}{% endlanguage %}"),
        "Hello"
    );
    assert_eq!(
        render("{% load i18n %}{% blocktranslate %}Dear {{ name }}{% endblocktranslate %}"),
        "Liebe(r) &lt;Ann&gt;"
    );
    assert_eq!(
        render("{% load i18n %}{% blocktranslate count c=n %}{{ c }} apple{% plural %}{{ c }} apples{% endblocktranslate %}"),
        "3 Äpfel"
    );
    assert_eq!(
        render("{% load i18n %}{% get_current_language as l %}{{ l }}"),
        "de"
    );
}

#[test]
fn partials_define_render_and_load_by_name() {
    let page = "{% partialdef row %}<li>{{ item }}</li>{% endpartialdef %}\
<ul>{% for item in items %}{% partial row %}{% endfor %}</ul>\
{% partialdef badge inline %}<b>{{ items|length }}</b>{% endpartialdef badge %}";
    let engine = memory(&[
        ("page.html", page),
        (
            "dup.html",
            "{% partialdef a %}{% endpartialdef %}{% partialdef a %}{% endpartialdef %}",
        ),
        ("missing.html", "{% partial nope %}"),
        ("bad.html", "{% partialdef a b %}{% endpartialdef %}"),
    ]);
    let ctx: HashMap<String, Value> = [
        (
            "items".to_string(),
            Value::list(vec![Value::str("a"), Value::str("<b>")]),
        ),
        ("item".to_string(), Value::str("x")),
    ]
    .into();
    let render = |name: &str| engine.get_template(name).and_then(|t| engine.render(&t, &ctx));
    // Defined partials render nothing in place unless `inline`; `{% partial %}` renders them.
    assert_eq!(
        render("page.html").ok().as_deref(),
        Some("<ul><li>a</li><li>&lt;b&gt;</li></ul><b>2</b>")
    );
    // `page.html#row` is the fragment alone, with the caller's context.
    assert_eq!(render("page.html#row").ok().as_deref(), Some("<li>x</li>"));
    assert_eq!(
        render("page.html#nope").err().map(|e| e.kind),
        Some(ErrorKind::NotFound)
    );
    let dup = render("dup.html").err().map(|e| e.message);
    assert_eq!(
        dup.as_deref(),
        Some("Partial 'a' is already defined in the 'dup.html' template.")
    );
    let missing = render("missing.html").err().map(|e| e.message);
    assert_eq!(
        missing.as_deref(),
        Some("Partial 'nope' is not defined in the current template.")
    );
    let bad = render("bad.html").err().map(|e| e.message);
    assert_eq!(
        bad.as_deref(),
        Some("The 'inline' argument does not have any parameters; either use 'inline' or remove it completely.")
    );
}

#[test]
fn deep_nesting_never_overflows_the_stack() {
    // On a small thread stack, in a debug build: 500 nested includes and 250 nested ifs.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let mut map = HashMap::new();
            for i in 0..500 {
                map.insert(format!("t{i}.html"), format!("{{% include 't{}.html' %}}", i + 1));
            }
            map.insert("t500.html".to_string(), "bottom".to_string());
            let engine = Engine::new(
                vec![Loader::Memory(map)],
                EngineOptions {
                    max_depth: 1000,
                    ..EngineOptions::default()
                },
            );
            let t = engine.get_template("t0.html").unwrap_or_else(|e| panic!("{e}"));
            let deep_include = engine.render(&t, &HashMap::<String, Value>::new());
            let nested_ifs = format!("{}x{}", "{% if 1 %}".repeat(250), "{% endif %}".repeat(250));
            let deep_if = engine.render_str(&nested_ifs, &HashMap::<String, Value>::new());
            (deep_include, deep_if)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let (deep_include, deep_if) = handle
        .join()
        .unwrap_or_else(|_| panic!("the render thread overflowed"));
    assert_eq!(deep_include.ok().as_deref(), Some("bottom"));
    assert_eq!(deep_if.ok().as_deref(), Some("x"));
}

/// A host with `DEBUG = True`.
struct DebugHost;

impl djust_runtime::template::Host for DebugHost {
    fn reverse(
        &self,
        name: &str,
        _: &[Value],
        _: &[(String, Value)],
        _: Option<&str>,
    ) -> Result<String, String> {
        Err(format!("no route {name}"))
    }
    fn static_url(&self, path: &str) -> String {
        format!("/static/{path}")
    }
    fn debug(&self) -> bool {
        true
    }
    fn debug_modules(&self) -> String {
        "{'sys': <module 'sys' (built-in)>}".into()
    }
}

#[test]
fn debug_tag_prints_the_context_only_when_the_host_is_in_debug_mode() {
    let ctx = Value::dict([("b", Value::Int(1)), ("a", Value::str("<x>"))]);
    let src = "{% with z=2 %}{% debug %}{% endwith %}";
    // Without a host (or with DEBUG off), Django prints nothing.
    assert_eq!(memory(&[]).render_str(src, &ctx).ok().as_deref(), Some(""));
    let mut engine = memory(&[]);
    engine.set_host(Arc::new(DebugHost));
    let out = engine.render_str(src, &ctx).unwrap_or_else(|e| panic!("{e}"));
    // Innermost dict first, keys sorted by pformat, everything escaped.
    assert_eq!(
        out,
        "{&#x27;z&#x27;: 2}{&#x27;a&#x27;: &#x27;&lt;x&gt;&#x27;, &#x27;b&#x27;: 1}\
         {&#x27;False&#x27;: False, &#x27;None&#x27;: None, &#x27;True&#x27;: True}\n\n\
         {&#x27;sys&#x27;: &lt;module &#x27;sys&#x27; (built-in)&gt;}"
    );
}

/// `parser::TAGS` lists only tags the parser compiles: with its library loaded, none
/// of them is an unknown tag (some need arguments and say so; that is fine), and
/// without it, a library tag is unknown.
#[test]
fn the_tag_list_is_what_the_parser_compiles() {
    use djust_runtime::template::library::TAGS;
    use djust_runtime::template::parser::{parse, ParseOptions};
    let opts = ParseOptions {
        lenient: false,
        name: None,
    };
    for (tag, library) in TAGS {
        let load = if library.is_empty() {
            String::new()
        } else {
            format!("{{% load {library} %}}")
        };
        let src = format!("{load}{{% {tag} %}}");
        if let Err(e) = parse(&src, &djust_runtime::template::filters::builtins(), &opts) {
            assert!(!e.message.contains("Invalid block tag"), "{tag}: {}", e.message);
        }
        if !library.is_empty() {
            let unknown = parse(
                &format!("{{% {tag} %}}"),
                &djust_runtime::template::filters::builtins(),
                &opts,
            )
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
            assert!(
                unknown.contains("Invalid block tag"),
                "{tag} without {library}: {unknown}"
            );
        }
    }
}

/// A child template's blocks are found wherever they are nested, as Django's
/// `ExtendsNode` finds them (`get_nodes_by_type`, through every node's child node
/// lists): inside `{% language %}` and `{% partialdef %}` too, which used to be
/// skipped (the parent's block rendered instead). Rendered by the parent, so the
/// `{% language %}` around the child's block does not apply (the host's `de`, not `fr`).
#[test]
fn a_childs_blocks_count_inside_every_tag_with_a_body() {
    let mut engine = memory(&[
        ("base.html", "[{% block a %}A{% endblock %}|{% block b %}B{% endblock %}|{% block c %}C{% endblock %}]"),
        (
            "child.html",
            "{% extends 'base.html' %}{% load i18n %}\
             {% language 'fr' %}{% block a %}a:{% get_current_language as l %}{{ l }}{% endblock %}{% endlanguage %}\
             {% partialdef p %}{% block b %}b{% endblock %}{% endpartialdef %}\
             {% with x=1 %}{% block c %}c{{ x }}{% endblock %}{% endwith %}",
        ),
    ]);
    engine.set_host(Arc::new(German));
    let out = engine
        .get_template("child.html")
        .and_then(|t| engine.render(&t, &empty()));
    assert_eq!(out.map_err(|e| e.message).as_deref(), Ok("[a:de|b|c]"));
}

/// Writes `text` to `path` with a modification time `secs` after the epoch, so a
/// change is seen whatever the file system's time resolution.
fn write_at(path: &std::path::Path, text: &str, secs: u64) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
    let file = std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap_or_else(|e| panic!("{e}"));
    file.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn auto_reload_recompiles_changed_files_and_only_with_the_option() {
    let root = tempdir("reload");
    write_at(&root.join("page.html"), "page {% include 'part.html' %}", 1_000);
    write_at(&root.join("part.html"), "one", 1_000);
    let make = |auto_reload| {
        Engine::new(
            vec![Loader::Directories(vec![root.clone()])],
            EngineOptions {
                auto_reload,
                ..EngineOptions::default()
            },
        )
    };
    let (reloading, fixed) = (make(true), make(false));
    let render = |e: &Engine| {
        e.get_template("page.html")
            .and_then(|t| e.render(&t, &empty()))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(render(&reloading), "page one");
    assert_eq!(render(&fixed), "page one");
    // An included template changes: the next render shows it.
    write_at(&root.join("part.html"), "two", 2_000);
    assert_eq!(render(&reloading), "page two");
    assert_eq!(render(&fixed), "page one");
    // The page itself changes; an unchanged one is the same compiled template.
    let before = reloading
        .get_template("page.html")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(Arc::ptr_eq(
        &before,
        &reloading
            .get_template("page.html")
            .unwrap_or_else(|e| panic!("{e}"))
    ));
    write_at(&root.join("page.html"), "new {% include 'part.html' %}", 2_000);
    assert_eq!(render(&reloading), "new two");
    // A template that no longer loads is an error, not the stale copy.
    std::fs::remove_file(root.join("page.html")).unwrap_or_else(|e| panic!("{e}"));
    assert!(reloading.get_template("page.html").is_err());
    assert_eq!(render(&fixed), "page one");
}

/// A value stays small: every context entry, loop item and frame holds one.
#[test]
fn a_value_is_at_most_six_words() {
    assert!(
        std::mem::size_of::<Value>() <= 48,
        "{}",
        std::mem::size_of::<Value>()
    );
}

/// A host whose fragment cache is a map, recording what the tag asked of it.
#[derive(Default)]
struct Fragments {
    stored: std::sync::Mutex<HashMap<String, String>>,
    asked: std::sync::Mutex<Vec<String>>,
}

impl Fragments {
    fn key(fragment: &djust_runtime::template::host::Fragment<'_>) -> String {
        let vary: Vec<String> = fragment.vary_on.iter().map(Value::to_py_str).collect();
        let using = fragment.using.map(Value::to_py_str).unwrap_or_default();
        format!("{using}/{}/{}", fragment.name, vary.join(":"))
    }
}

impl djust_runtime::template::Host for Fragments {
    fn reverse(
        &self,
        name: &str,
        _: &[Value],
        _: &[(String, Value)],
        _: Option<&str>,
    ) -> Result<String, String> {
        Err(format!("no route {name}"))
    }
    fn static_url(&self, path: &str) -> String {
        path.to_string()
    }
    fn cache_get(
        &self,
        fragment: &djust_runtime::template::host::Fragment<'_>,
    ) -> Result<Option<String>, String> {
        if !matches!(fragment.timeout, Value::Int(_) | Value::None) {
            return Err(format!("non-integer timeout {}", fragment.timeout.to_py_str()));
        }
        let key = Self::key(fragment);
        self.asked
            .lock()
            .map_err(|e| e.to_string())?
            .push(format!("get {key}"));
        Ok(self.stored.lock().map_err(|e| e.to_string())?.get(&key).cloned())
    }
    fn cache_set(
        &self,
        fragment: &djust_runtime::template::host::Fragment<'_>,
        output: &str,
    ) -> Result<(), String> {
        let key = Self::key(fragment);
        self.asked
            .lock()
            .map_err(|e| e.to_string())?
            .push(format!("set {key}"));
        self.stored
            .lock()
            .map_err(|e| e.to_string())?
            .insert(key, output.to_string());
        Ok(())
    }
}

/// `{% cache %}` (Django's `cache` library): the host is asked for the fragment with
/// its resolved timeout, alias and vary-on values; only a miss renders the body (its
/// output stored as rendered, escaped), a hit writes the stored output. Without a host
/// the body renders every time. Its body is a child node list (a child's block inside
/// it counts), and a tag with fewer than two arguments is Django's syntax error.
#[test]
fn cache_tag_asks_the_host_and_renders_only_a_miss() {
    let page = "{% load cache %}{% cache 60 card who using='x' %}<b>{{ text }}</b>{% endcache %}";
    let mut engine = memory(&[
        ("page.html", page),
        ("base.html", "[{% block a %}A{% endblock %}]"),
        (
            "child.html",
            "{% extends 'base.html' %}{% load cache %}{% cache 1 f %}{% block a %}a{% endblock %}{% endcache %}",
        ),
        ("short.html", "{% load cache %}\n{% cache 1 %}{% endcache %}"),
        ("bad.html", "{% load cache %}{% cache t f %}x{% endcache %}"),
    ]);
    let run = |engine: &Engine, who: i64, text: &str| {
        let ctx: HashMap<String, Value> =
            HashMap::from([("who".into(), Value::Int(who)), ("text".into(), Value::str(text))]);
        engine
            .get_template("page.html")
            .and_then(|t| engine.render(&t, &ctx))
            .map_err(|e| e.message)
    };
    // No host: nothing is cached. (The library is registered by whoever has it:
    // the Python backend, from Django's libraries.)
    engine.registry_mut().register_library("cache");
    assert_eq!(run(&engine, 1, "<1>").as_deref(), Ok("<b>&lt;1&gt;</b>"));
    assert_eq!(run(&engine, 1, "2").as_deref(), Ok("<b>2</b>"));

    let host = Arc::new(Fragments::default());
    engine.set_host(host.clone());
    assert_eq!(run(&engine, 1, "<1>").as_deref(), Ok("<b>&lt;1&gt;</b>"));
    assert_eq!(run(&engine, 1, "2").as_deref(), Ok("<b>&lt;1&gt;</b>"));
    assert_eq!(run(&engine, 2, "2").as_deref(), Ok("<b>2</b>"));
    let asked = host.asked.lock().map(|a| a.clone()).unwrap_or_default();
    assert_eq!(
        asked,
        [
            "get x/card/1",
            "set x/card/1",
            "get x/card/1",
            "get x/card/2",
            "set x/card/2"
        ]
    );

    let child = engine
        .get_template("child.html")
        .and_then(|t| engine.render(&t, &empty()));
    assert_eq!(child.map_err(|e| e.message).as_deref(), Ok("[a]"));

    let short = engine
        .get_template("short.html")
        .map(|_| ())
        .map_err(|e| (e.message, e.line));
    assert_eq!(
        short,
        Err(("''cache'' tag requires at least 2 arguments.".into(), Some(2)))
    );
    let ctx = HashMap::from([("t".to_string(), Value::str("soon"))]);
    let bad = engine
        .get_template("bad.html")
        .and_then(|t| engine.render(&t, &ctx));
    assert_eq!(bad.map_err(|e| e.message), Err("non-integer timeout soon".into()));
}
