//! Fixes are sound: applying every fix of a file removes the findings it fixes and
//! leaves a file that still parses (a property test over handler signatures and
//! LiveView templates in every shape the generators make).

use djust_analyzer::finding::Edit;
use djust_analyzer::{check_source, fix, Rule, Settings};
use proptest::prelude::*;
use std::path::Path;

/// One parameter: `name`, `name=1`, `name: int`, `name: int = 1`.
fn param() -> impl Strategy<Value = String> {
    ("[a-z]{1,6}", 0..4u8).prop_map(|(n, shape)| match shape {
        0 => format!("p_{n}"),
        1 => format!("p_{n}=1"),
        2 => format!("p_{n}: int"),
        _ => format!("p_{n}: int = 1"),
    })
}

/// A handler signature without `**kwargs`: positional-only, plain, `*args` or a bare
/// `*`, keyword-only parameters, a trailing comma, split over lines or not.
fn signature() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(param(), 0..3),
        proptest::collection::vec(param(), 0..3),
        0..3u8,
        proptest::collection::vec(param(), 0..2),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(posonly, plain, star, kwonly, trailing, multiline)| {
            let mut parts = vec!["self".to_string()];
            let mut seen = std::collections::HashSet::new();
            let mut push = |p: String, parts: &mut Vec<String>| {
                let name = p.split([':', '=']).next().unwrap_or("").trim().to_string();
                if seen.insert(name) {
                    parts.push(p);
                }
            };
            for p in posonly.clone() {
                push(p, &mut parts);
            }
            if !posonly.is_empty() {
                parts.push("/".into());
            }
            for p in plain {
                push(p, &mut parts);
            }
            match star {
                1 => parts.push("*args".into()),
                2 if !kwonly.is_empty() => parts.push("*".into()),
                _ => {}
            }
            if star != 0 {
                for p in kwonly {
                    push(p, &mut parts);
                }
            }
            // Defaults may not precede non-defaults among positional parameters; keep
            // the generator to valid Python by dropping such orders.
            let sep = if multiline { ",\n        " } else { ", " };
            let mut text = parts.join(sep);
            if trailing {
                text.push(',');
            }
            text
        })
}

fn parses(src: &str) -> bool {
    djust_analyzer::python::parse_module(src).is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn v007_fixes_leave_no_v007_and_valid_python(sig in signature()) {
        let src = format!(
            "from djust import LiveView\nfrom djust.decorators import event_handler\n\n\nclass V(LiveView):\n    @event_handler\n    def go({sig}):\n        pass\n"
        );
        // Only valid Python is interesting (the generator can order defaults wrongly).
        prop_assume!(parses(&src));
        let settings = Settings::defaults(Path::new("."));
        let report = check_source(&src, "views.py", &settings);
        let fixes: Vec<&Edit> = report
            .findings
            .iter()
            .filter(|f| f.rule == Rule::V007)
            .flat_map(|f| f.fix.iter().flat_map(|x| x.edits.iter()))
            .collect();
        prop_assert_eq!(fixes.len(), 1, "one V007 with one edit: {}", src);
        let fixed = fix::apply(&src, &fixes).unwrap_or_default();
        prop_assert!(parses(&fixed), "the fix broke the file:\n{}", fixed);
        let again = check_source(&fixed, "views.py", &settings);
        prop_assert!(again.findings.iter().all(|f| f.rule != Rule::V007), "V007 remains:\n{}", fixed);
    }

    #[test]
    fn t002_fixes_give_the_view_element_its_root(tag in "(div|main|section|article)", attrs in "( class=\"[a-z]{1,5}\"| id=x| hidden){0,3}") {
        let src = format!("<{tag}{attrs} dj-view=\"app.views.V\"><p dj-click=\"go\">x</p></{tag}>\n");
        let check = |text: &str| {
            // The template rules that need no project: T002 runs across files, so use
            // a directory holding just this template.
            let dir = std::env::temp_dir().join(format!("djust-fix-{}-{}", std::process::id(), text.len()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(dir.join("templates")).unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(dir.join("templates/page.html"), text).unwrap_or_else(|e| panic!("{e}"));
            let report = djust_analyzer::check(std::slice::from_ref(&dir), &dir, &djust_analyzer::Overrides { no_cache: true, ..Default::default() })
                .unwrap_or_else(|e| panic!("{e}"));
            let _ = std::fs::remove_dir_all(&dir);
            report
        };
        let report = check(&src);
        let edits: Vec<&Edit> = report
            .findings
            .iter()
            .filter(|f| f.rule == Rule::T002)
            .flat_map(|f| f.fix.iter().flat_map(|x| x.edits.iter()))
            .collect();
        prop_assert_eq!(edits.len(), 1, "{}", src);
        let fixed = fix::apply(&src, &edits).unwrap_or_default();
        let again = check(&fixed);
        prop_assert!(again.findings.iter().all(|f| f.rule != Rule::T002 && f.rule != Rule::E004), "{}", fixed);
        prop_assert!(fixed.contains(&format!("<{tag} dj-root")), "{}", fixed);
    }
}

/// Regression (found by the property test above): after a positional-only marker the
/// fix went before the `/`, which is a syntax error.
#[test]
fn v007_fix_goes_after_the_positional_only_marker() {
    let src = "from djust import LiveView\nfrom djust.decorators import event_handler\n\n\nclass V(LiveView):\n    @event_handler\n    def go(self, a, /):\n        pass\n";
    let settings = Settings::defaults(Path::new("."));
    let report = check_source(src, "views.py", &settings);
    let edits: Vec<&Edit> = report
        .findings
        .iter()
        .flat_map(|f| f.fix.iter().flat_map(|x| x.edits.iter()))
        .collect();
    let fixed = fix::apply(src, &edits).unwrap_or_default();
    assert!(fixed.contains("def go(self, a, /, **kwargs):"), "{fixed}");
}

/// One line of `mount()`: a V006 finding or not, with a `noqa` directive in one of
/// its shapes (codes of djust and of other tools, a reason after them, a comment
/// before it) or none.
fn mount_line() -> impl Strategy<Value = String> {
    let codes = proptest::collection::vec(prop_oneof!["V006", "V007", "F401", "E501", "S003"], 0..4);
    (any::<bool>(), codes, 0..4u8).prop_map(|(service, codes, shape)| {
        let stmt = if service {
            "self.client = StripeClient()"
        } else {
            "self.count = 0"
        };
        let list = codes.join(", ");
        match (shape, codes.is_empty()) {
            (_, true) if shape == 0 => stmt.to_string(),
            (_, true) => format!("{stmt}  # noqa"),
            (1, false) => format!("{stmt}  # noqa: {list}"),
            (2, false) => format!("{stmt}  # noqa:{list} because reasons"),
            (_, false) => format!("{stmt}  # type: ignore  # NOQA: {list}"),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Q101's fixes remove every unused code, keep every finding suppressed that was,
    /// and leave valid Python.
    #[test]
    fn q101_fixes_remove_unused_codes_and_keep_suppressions(lines in proptest::collection::vec(mount_line(), 1..6)) {
        let body: String = lines.iter().map(|l| format!("        {l}\n")).collect();
        let src = format!(
            "from djust import LiveView\n\n\nclass V(LiveView):\n    template_name = \"v.html\"\n    login_required = False\n\n    def mount(self, request, **kwargs):\n{body}"
        );
        let settings = Settings::defaults(Path::new("."));
        let report = check_source(&src, "views.py", &settings);
        let edits: Vec<&Edit> = report
            .findings
            .iter()
            .filter(|f| f.rule == Rule::Q101)
            .flat_map(|f| f.fix.iter().flat_map(|x| x.edits.iter()))
            .collect();
        let fixed = fix::apply(&src, &edits).unwrap_or_default();
        prop_assert!(parses(&fixed), "the fix broke the file:\n{}", fixed);
        let again = check_source(&fixed, "views.py", &settings);
        prop_assert!(again.findings.iter().all(|f| f.rule != Rule::Q101), "Q101 remains:\n{}", fixed);
        let others = |r: &djust_analyzer::Report| {
            let mut v: Vec<(Rule, usize)> = r.findings.iter().filter(|f| f.rule != Rule::Q101).map(|f| (f.rule, f.span.start)).collect();
            v.sort();
            v.len()
        };
        prop_assert_eq!(others(&report), others(&again), "a suppression was lost:\n{}", fixed);
        prop_assert_eq!(report.suppressed, again.suppressed, "{}", fixed);
    }
}
