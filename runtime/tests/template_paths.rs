//! The variable paths a template reads (query planning, issue 22 point 4): loop
//! variables, `{% with %}`, includes with `with`/`only`, `{% extends %}`, conditions and
//! filter arguments, names a scope hides, and a template that includes itself.

use djust_runtime::template::paths::variable_paths;
use djust_runtime::template::{Engine, EngineOptions, Loader};

fn paths(templates: &[(&str, &str)], name: &str) -> Vec<String> {
    let map = templates
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let engine = Engine::new(vec![Loader::Memory(map)], EngineOptions::default());
    let template = engine.get_template(name).unwrap_or_else(|e| panic!("{e}"));
    variable_paths(&engine, &template.nodes)
}

#[test]
fn loops_follow_their_sequence_and_nest() {
    let got = paths(
        &[(
            "list.html",
            "{% for p in products %}{{ p.category.name }}{% for t in p.tags.all %}{{ t.label }}{% endfor %}\
             {% if p.maker.country %}{{ forloop.counter }}{% endif %}{% empty %}{{ none }}{% endfor %}",
        )],
        "list.html",
    );
    assert_eq!(
        got,
        [
            "none",
            "products",
            "products.[].category.name",
            "products.[].maker.country",
            "products.[].tags.all",
            "products.[].tags.all.[].label",
        ]
    );
}

#[test]
fn with_include_and_extends_are_followed() {
    let got = paths(
        &[
            ("base.html", "{{ site.name }}{% block body %}{% endblock %}"),
            (
                "page.html",
                "{% extends \"base.html\" %}{% block body %}{% with first=orders.0 %}{{ first.customer.email }}{% endwith %}\
                 {% for o in orders %}{% include \"row.html\" with line=o.lines %}{% endfor %}\
                 {% include \"alone.html\" with who=user only %}{% endblock %}",
            ),
            ("row.html", "{{ o.customer.name }}{% for l in line.all %}{{ l.product.sku }}{% endfor %}"),
            ("alone.html", "{{ who.profile.avatar }}{{ o.never }}"),
        ],
        "page.html",
    );
    for expected in [
        "site.name",
        "orders.0.customer.email",
        "orders.[].customer.name",
        "orders.[].lines.all.[].product.sku",
        "user.profile.avatar",
        // `only`: the loop variable is not seen inside, so `o` is just a name there.
        "o.never",
    ] {
        assert!(got.contains(&expected.to_string()), "{expected} not in {got:?}");
    }
}

#[test]
fn names_bound_to_anything_else_hide_what_is_outside() {
    let got = paths(
        &[(
            "t.html",
            "{% with total=orders|length %}{{ total.x }}{% endwith %}\
             {% for a, b in pairs %}{{ a.left }}{% endfor %}\
             {% for x in items|dictsort:\"key.sub\" %}{{ x.name }}{% endfor %}\
             {{ value|default:fallback.name }}{% if a.b and not c.d %}{% endif %}",
        )],
        "t.html",
    );
    assert!(got.contains(&"orders".to_string()) && !got.iter().any(|p| p.starts_with("total")));
    assert!(got.contains(&"pairs".to_string()) && !got.iter().any(|p| p.contains("left")));
    assert!(
        got.contains(&"items".to_string())
            && !got.iter().any(|p| p.ends_with("name") && p.starts_with("items"))
    );
    for expected in ["fallback.name", "value", "a.b", "c.d"] {
        assert!(got.contains(&expected.to_string()), "{expected} not in {got:?}");
    }
}

#[test]
fn a_template_that_includes_itself_is_read_a_bounded_number_of_times() {
    let got = paths(
        &[(
            "loop.html",
            "{{ node.value }}{% include \"loop.html\" with node=node.child %}",
        )],
        "loop.html",
    );
    // Each level adds one `.child`; the walk stops at MAX_TEMPLATES templates.
    let deepest = got.iter().map(|p| p.matches(".child").count()).max().unwrap_or(0);
    assert!(
        (10..=djust_runtime::template::paths::MAX_TEMPLATES).contains(&deepest),
        "{deepest}"
    );
    assert!(got.contains(&"node.value".to_string()) && got.contains(&"node.child.value".to_string()));
}
