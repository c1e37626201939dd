//! The diff: `apply(diff(old, new), old) == new` (ids included) for random trees and
//! random edits; patches survive a JSON round trip; and the patch counts of the
//! cases the protocol is designed for (one changed row, reversed keyed list, rows
//! inserted into an unkeyed list).

use djust_runtime::vdom::patch::{to_json, Patch};
use djust_runtime::vdom::{apply, diff, parse_document, Element, IdAllocator, VNode};
use proptest::prelude::*;

mod common;
use common::{renumber, tree};

/// Deterministic edits driven by `choices`: change text, set/remove attributes,
/// insert, remove, swap, reverse and re-key children, recursively.
fn mutate(node: &mut VNode, choices: &mut impl Iterator<Item = u8>, depth: usize) {
    let Some(c) = choices.next() else { return };
    match node {
        VNode::Text(t) => {
            if c % 3 == 0 {
                t.push('x');
            }
        }
        VNode::Comment(_) => {}
        VNode::Element(e) => {
            match c % 9 {
                0 => e.attrs.push((format!("a{}", c / 9).into(), "v".into())),
                1 if !e.attrs.is_empty() => {
                    e.attrs.remove(usize::from(c) % e.attrs.len());
                }
                2 => e.children.insert(
                    usize::from(c) % (e.children.len() + 1),
                    VNode::Text(format!("new{c}").into()),
                ),
                3 if !e.children.is_empty() => {
                    e.children.remove(usize::from(c) % e.children.len());
                }
                4 if e.children.len() > 1 => {
                    let n = e.children.len();
                    e.children.swap(usize::from(c) % n, usize::from(c / 7) % n);
                }
                5 => e.children.reverse(),
                6 => e.children.push(VNode::Element(Element::new(
                    "span",
                    djust_runtime::vdom::Namespace::Html,
                    vec![("dj-key".into(), format!("k{}", c % 4).into())],
                    vec![VNode::Text(format!("p{c}").into())],
                ))),
                7 => {
                    if let Some((_, v)) = e.attrs.first_mut() {
                        v.push('!');
                    }
                }
                _ => {}
            }
            if depth < 6 {
                for child in &mut e.children {
                    mutate(child, choices, depth + 1);
                }
            }
            // Adjacent texts merge in the DOM.
            let mut merged: Vec<VNode> = Vec::new();
            for ch in std::mem::take(&mut e.children) {
                match (merged.last_mut(), ch) {
                    (Some(VNode::Text(prev)), VNode::Text(t)) => prev.push_str(&t),
                    (_, ch) => merged.push(ch),
                }
            }
            e.children = merged;
            e.key = e
                .attrs
                .iter()
                .find(|(k, v)| k == "dj-key" && !v.is_empty())
                .map(|(_, v)| v.clone());
        }
    }
}

fn max_id(n: &VNode) -> u64 {
    match n {
        VNode::Element(e) => e.children.iter().map(max_id).max().unwrap_or(0).max(e.id.0),
        _ => 0,
    }
}

fn root_of(n: VNode) -> Element {
    match n {
        VNode::Element(e) => e,
        other => Element::new("div", djust_runtime::vdom::Namespace::Html, vec![], vec![other]),
    }
}

fn sort_attrs(e: &mut Element) {
    e.attrs.sort();
    for c in &mut e.children {
        if let VNode::Element(child) = c {
            sort_attrs(child);
        }
    }
}

/// A random case: `t` numbered in document order as the old tree, `t` edited by
/// `choices` as the new one, and the session's allocator past the old ids. `None`
/// when the edit changed the root's tag (the diff requires the same root).
fn random_case(t: VNode, choices: Vec<u8>) -> Option<(Element, Element, IdAllocator)> {
    let mut wrapped = VNode::Element(root_of(t));
    renumber(&mut wrapped, &mut IdAllocator::new());
    let old = root_of(wrapped);
    let mut new_node = VNode::Element(old.clone());
    mutate(&mut new_node, &mut choices.into_iter(), 0);
    let new = root_of(new_node);
    if new.tag != old.tag {
        return None;
    }
    let mut ids = IdAllocator::new();
    for _ in 0..=max_id(&VNode::Element(old.clone())) {
        ids.next_id();
    }
    Some((old, new, ids))
}

/// Diff, apply, compare; returns the patches.
fn check(old: &Element, new: &mut Element, ids: &mut IdAllocator) -> Result<Vec<Patch>, String> {
    let patches = diff(old, new, ids);
    let mut applied = old.clone();
    apply(&mut applied, &patches).map_err(|e| format!("{e}\npatches: {patches:?}"))?;
    // Attribute order is not significant in the DOM.
    sort_attrs(&mut applied);
    let mut want = new.clone();
    sort_attrs(&mut want);
    if applied != want {
        return Err(format!(
            "applied != new\npatches: {patches:?}\napplied: {applied:?}\nnew: {new:?}"
        ));
    }
    let json = to_json(&patches);
    let back: serde_json::Value = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    let parsed: Vec<Patch> = serde_json::from_value(back["patches"].clone()).map_err(|e| e.to_string())?;
    if parsed != patches {
        return Err(format!("JSON round trip changed the patches: {json}"));
    }
    Ok(patches)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000)
    ))]
    #[test]
    fn applying_the_diff_gives_the_new_tree(t in tree(), choices in prop::collection::vec(any::<u8>(), 0..64)) {
        let Some((old, mut new, mut ids)) = random_case(t, choices) else {
            return Ok(());
        };
        if let Err(e) = check(&old, &mut new, &mut ids) {
            prop_assert!(false, "{}", e);
        }
    }
}

/// The runtime's path on the same random cases: both trees built from their HTML by
/// the streaming builder (hashes computed while building), diffed as flat trees.
/// Applying the patches to the old tree must give the new one, ids included, and
/// the patches must be those of the owned-element diff.
#[test]
fn the_flat_diff_of_built_trees_gives_the_new_tree() {
    use djust_runtime::vdom::build_document;
    use djust_runtime::vdom::diff::diff_trees;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let mut runner = TestRunner::deterministic();
    let strategy = (tree(), prop::collection::vec(any::<u8>(), 0..64));
    let page = |e: &Element| format!("<!DOCTYPE html><html><body>{}</body></html>", e.to_html());
    let mut checked = 0;
    for _ in 0..n {
        let (t, choices) = strategy
            .new_tree(&mut runner)
            .unwrap_or_else(|e| panic!("{e}"))
            .current();
        let Some((old, new, _)) = random_case(t, choices) else {
            continue;
        };
        let mut ids = IdAllocator::new();
        let (Ok(old_tree), Ok(mut new_tree)) = (
            build_document(&page(&old), &mut ids),
            build_document(&page(&new), &mut IdAllocator::new()),
        ) else {
            continue;
        };
        let old_el = old_tree.to_element();
        let mut new_el = new_tree.to_element();
        let mut ids2 = ids.clone();
        let patches = diff_trees(&old_tree, &mut new_tree, &mut ids);
        let mut applied = old_el.clone();
        apply(&mut applied, &patches).unwrap_or_else(|e| panic!("{e}: {patches:?}"));
        sort_attrs(&mut applied);
        let mut want = new_tree.to_element();
        sort_attrs(&mut want);
        assert_eq!(applied, want, "{patches:?}");
        assert_eq!(diff(&old_el, &mut new_el, &mut ids2), patches);
        checked += 1;
    }
    assert!(checked > n / 2, "only {checked} of {n} cases checked");
}

/// `dj-update="ignore"`: no patch goes inside, the client's content is kept in the
/// tree (old ids included) and the next diff works from it; the rest of the page is
/// diffed as usual.
#[test]
fn ignored_subtrees_keep_the_clients_content() {
    use djust_runtime::vdom::build_document;
    use djust_runtime::vdom::diff::diff_trees;
    let page = |chat: &str, tail: &str, after: &str| {
        format!(
            "<div dj-root><section><div dj-update=\"ignore\" id=chat>{chat}</div><p>{tail}</p></section><footer>{after}</footer></div>"
        )
    };
    let mut ids = IdAllocator::new();
    let old = build_document(&page("<p>one</p>", "a", "x"), &mut ids).unwrap_or_else(|e| panic!("{e}"));
    let mut new = build_document(
        &page("<p>two</p><p>three</p><ul><li>4</ul>", "b", "y"),
        &mut IdAllocator::new(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let patches = diff_trees(&old, &mut new, &mut ids);
    assert_eq!(
        patches.iter().filter(|p| matches!(p, Patch::Text { .. })).count(),
        2,
        "{patches:?}"
    );
    assert_eq!(patches.len(), 2, "{patches:?}");
    let mut applied = old.to_element();
    apply(&mut applied, &patches).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(applied, new.to_element());
    let chat = |e: &Element| -> Element {
        let section = e.children[0]
            .as_element()
            .cloned()
            .unwrap_or_else(|| panic!("no section"));
        section.children[0]
            .as_element()
            .cloned()
            .unwrap_or_else(|| panic!("no chat"))
    };
    assert_eq!(chat(&new.to_element()), chat(&old.to_element()));
    assert!(
        new.to_html().ends_with("<footer dj-id=\"5\">y</footer></div>"),
        "{}",
        new.to_html()
    );
    // The next render diffs against the kept content.
    let mut next = build_document(&page("<p>five</p>", "b", "z"), &mut IdAllocator::new())
        .unwrap_or_else(|e| panic!("{e}"));
    let patches = diff_trees(&new, &mut next, &mut ids);
    assert_eq!(patches.len(), 1, "{patches:?}");
    let mut applied2 = applied.clone();
    apply(&mut applied2, &patches).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(applied2, next.to_element());
}

fn table(rows: &[(String, String)], keyed: bool) -> String {
    let mut html = String::from("<!DOCTYPE html><table dj-root><tbody>");
    for (k, v) in rows {
        if keyed {
            html.push_str(&format!(
                "<tr dj-key=\"{k}\"><td>{k}</td><td class=\"c\">{v}</td></tr>"
            ));
        } else {
            html.push_str(&format!("<tr><td>{k}</td><td class=\"c\">{v}</td></tr>"));
        }
    }
    html.push_str("</tbody></table>");
    html
}

fn rows(n: usize) -> Vec<(String, String)> {
    (0..n).map(|i| (format!("r{i}"), format!("value {i}"))).collect()
}

fn diff_html(a: &str, b: &str) -> Vec<Patch> {
    let mut ids = IdAllocator::new();
    let old = parse_document(a, &mut ids).unwrap_or_else(|e| panic!("{e}"));
    let mut new = parse_document(b, &mut IdAllocator::new()).unwrap_or_else(|e| panic!("{e}"));
    check(&old, &mut new, &mut ids).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn one_changed_cell_is_one_text_patch() {
    let a = rows(1000);
    let mut b = a.clone();
    b[500].1 = "changed".into();
    for keyed in [true, false] {
        let p = diff_html(&table(&a, keyed), &table(&b, keyed));
        assert!(
            matches!(p.as_slice(), [Patch::Text { text, .. }] if text == "changed"),
            "{p:?}"
        );
    }
}

#[test]
fn a_reversed_keyed_list_is_one_reorder() {
    let a = rows(1000);
    let b: Vec<_> = a.iter().rev().cloned().collect();
    let p = diff_html(&table(&a, true), &table(&b, true));
    assert!(
        matches!(p.as_slice(), [Patch::Reorder { .. }]),
        "{} patches",
        p.len()
    );
    assert!(to_json(&p).len() < 15_000, "{} bytes", to_json(&p).len());
}

#[test]
fn rows_inserted_into_an_unkeyed_list_are_inserts() {
    let a = rows(1000);
    let mut b = a.clone();
    for k in 0..10 {
        b.insert(500 + k, (format!("n{k}"), "new".into()));
    }
    let p = diff_html(&table(&a, false), &table(&b, false));
    assert_eq!(p.len(), 10, "{p:?}");
    assert!(p.iter().all(|x| matches!(x, Patch::Insert { .. })));
    assert!(to_json(&p).len() < 15_000);
}

#[test]
fn a_moved_keyed_row_is_one_move_and_removed_rows_are_removes() {
    let a = rows(50);
    let mut b = a.clone();
    let row = b.remove(3);
    b.insert(40, row);
    b.remove(10);
    let p = diff_html(&table(&a, true), &table(&b, true));
    assert_eq!(
        p.iter().filter(|x| matches!(x, Patch::Move { .. })).count(),
        1,
        "{p:?}"
    );
    assert_eq!(p.iter().filter(|x| matches!(x, Patch::Remove { .. })).count(), 1);
    assert_eq!(p.len(), 2);
}

#[test]
fn identical_trees_give_no_patches_and_keep_ids() {
    let html = table(&rows(20), true);
    let mut ids = IdAllocator::new();
    let old = parse_document(&html, &mut ids).unwrap_or_else(|e| panic!("{e}"));
    let mut new = parse_document(&html, &mut IdAllocator::new()).unwrap_or_else(|e| panic!("{e}"));
    assert!(diff(&old, &mut new, &mut ids).is_empty());
    assert_eq!(old, new);
}

/// Where the patch corpus for the browser applier's tests goes
/// (`client/test/apply.test.mjs` reads it): `$DJUST_PATCH_CORPUS`, else
/// `target/patch-corpus.json` in the workspace.
fn corpus_path() -> std::path::PathBuf {
    match std::env::var_os("DJUST_PATCH_CORPUS") {
        Some(p) => p.into(),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/patch-corpus.json"),
    }
}

/// The patch corpus shared with the JavaScript applier: every benchmark case, form
/// value cases and 300 random (tree, edit) cases, each as the HTML the browser has
/// (with `dj-id`s), the patch message, and the HTML it must end up with. Each case
/// is checked here with the Rust applier first.
#[test]
fn writes_the_patch_corpus_for_the_browser_applier() {
    use proptest::strategy::ValueTree;
    let mut out = Vec::new();
    let mut push = |name: String, old: &Element, new: &mut Element, ids: &mut IdAllocator| {
        let before = old.to_html();
        let patches = check(old, new, ids).unwrap_or_else(|e| panic!("{name}: {e}"));
        out.push(serde_json::json!({
            "name": name,
            "before": before,
            "message": serde_json::from_str::<serde_json::Value>(&to_json(&patches)).unwrap_or_default(),
            "after": new.to_html(),
        }));
    };
    let engine = common::cases::engine();
    for case in common::cases::cases(&engine) {
        use common::cases::render_root;
        let mut ids = IdAllocator::new();
        let old = render_root(&engine, &case.template, &case.before, &mut ids);
        let mut new = render_root(&engine, &case.template, &case.after, &mut IdAllocator::new());
        push(case.name.to_string(), &old, &mut new, &mut ids);
    }
    for (name, a, b) in [
        (
            "form values",
            "<form dj-root><input name=a value=x><input type=checkbox checked><select><option>a<option selected>b</select><textarea>one</textarea></form>",
            "<form dj-root><input name=a value=y><input type=checkbox><select><option selected>a<option>b</select><textarea>two</textarea></form>",
        ),
        (
            "svg insert",
            "<div dj-root><svg viewBox=\"0 0 2 2\"><circle r=1 /></svg></div>",
            "<div dj-root><svg viewBox=\"0 0 2 2\"><circle r=1 /><linearGradient id=g /><path d=M0 /></svg></div>",
        ),
        (
            "table rows",
            "<table dj-root><tbody><tr dj-key=a><td>a<tr dj-key=b><td>b</tbody></table>",
            "<table dj-root><tbody><tr dj-key=c><td>c<tr dj-key=b><td>b<tr dj-key=a><td>a!</tbody></table>",
        ),
        (
            "pre whitespace and dj-if",
            "<div dj-root><pre>  a\n  b</pre><!--dj-if--><p>x</p></div>",
            "<div dj-root><pre>  a\n  c</pre><p>x</p><!--dj-if--></div>",
        ),
    ] {
        let mut ids = IdAllocator::new();
        let old = parse_document(a, &mut ids).unwrap_or_else(|e| panic!("{e}"));
        let mut new = parse_document(b, &mut IdAllocator::new()).unwrap_or_else(|e| panic!("{e}"));
        push(name.to_string(), &old, &mut new, &mut ids);
    }
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (tree(), prop::collection::vec(any::<u8>(), 0..64));
    let mut random = 0;
    while random < 300 {
        let (t, choices) = strategy
            .new_tree(&mut runner)
            .map(|v| v.current())
            .unwrap_or_else(|e| panic!("{e}"));
        let Some((old, mut new, mut ids)) = random_case(t, choices) else {
            continue;
        };
        push(format!("random {random}"), &old, &mut new, &mut ids);
        random += 1;
    }
    let path = corpus_path();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
    let text = serde_json::to_string(&out).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// `dj-target` (`diff_scoped`): only the target's children are patched; applying the
/// patches gives the tree `diff_scoped` leaves (the browser's), and the next full diff
/// from it brings the rest of the page, so the browser ends equal to the render.
#[test]
fn a_scoped_diff_patches_only_the_target_and_the_next_diff_brings_the_rest() {
    use djust_runtime::vdom::diff::{diff_scoped, diff_trees};
    use djust_runtime::vdom::tree::Tree;

    let page = |count: &str, results: &str, note: &str| {
        format!(
            r#"<main dj-root><p class="count">{count}</p><ul id="results" class="r{count}">{results}</ul><aside><b>{note}</b></aside></main>"#
        )
    };
    let mut ids = IdAllocator::default();
    let first = parse_document(&page("2", "<li>a</li><li>b</li>", "old"), &mut ids)
        .unwrap_or_else(|e| panic!("root: {e}"));
    let old = Tree::from_element(&first);
    let mut browser = first.clone();

    // Everything changes; the event targets #results.
    let second = parse_document(
        &page("3", "<li>a</li><li>c</li><li>d</li>", "new"),
        &mut IdAllocator::default(),
    )
    .unwrap_or_else(|e| panic!("root: {e}"));
    let mut new = Tree::from_element(&second);
    let patches =
        diff_scoped(&old, &mut new, "results", &mut ids).unwrap_or_else(|| panic!("the target is in both"));
    // The elements outside the target: the root, the count, the aside and its <b>.
    let mut outside = vec![first.id];
    for c in &first.children {
        if let VNode::Element(e) = c {
            if !e
                .attrs
                .iter()
                .any(|(k, v)| k.as_str() == "id" && v.as_str() == "results")
            {
                let mut all = Vec::new();
                collect(e, &mut all);
                outside.extend(all);
            }
        }
    }
    assert!(!patches.is_empty());
    for p in &patches {
        assert!(
            !outside.contains(&p.target()),
            "a patch outside the target: {p:?}"
        );
    }
    apply(&mut browser, &patches).unwrap_or_else(|e| panic!("the scoped patches fit: {e}"));
    assert_eq!(browser, new.to_element(), "the tree left is the browser's");
    let html = new.to_html();
    assert!(
        html.contains(r#"class="count">2<"#) && html.contains(">old</b>") && html.contains(">d</li>"),
        "{html}"
    );

    // The next render (same content) without a target: the count, the class and the
    // aside arrive now.
    let third = parse_document(
        &page("3", "<li>a</li><li>c</li><li>d</li>", "new"),
        &mut IdAllocator::default(),
    )
    .unwrap_or_else(|e| panic!("root: {e}"));
    let mut next = Tree::from_element(&third);
    let rest = diff_trees(&new, &mut next, &mut ids);
    assert!(!rest.is_empty(), "the stale ancestors are diffed, not skipped");
    apply(&mut browser, &rest).unwrap_or_else(|e| panic!("the rest fits: {e}"));
    assert_eq!(browser, next.to_element());
    assert!(next.to_html().contains(">new</b>") && next.to_html().contains(r#"class="r3""#));

    // The danger the stale hashes prevent: a scoped event, then a render equal to the
    // first one. The browser's root still carries the first render's hash unless marked
    // stale, and the list would never be put back.
    let mut ids2 = IdAllocator::default();
    let one = parse_document(&page("2", "<li>a</li><li>b</li>", "old"), &mut ids2)
        .unwrap_or_else(|e| panic!("root: {e}"));
    let one_tree = Tree::from_element(&one);
    let mut shown = one.clone();
    let mut two = Tree::from_element(
        &parse_document(
            &page("2", "<li>z</li><li>y</li>", "old"),
            &mut IdAllocator::default(),
        )
        .unwrap_or_else(|e| panic!("root: {e}")),
    );
    let scoped = diff_scoped(&one_tree, &mut two, "results", &mut ids2).unwrap_or_else(|| panic!("scoped"));
    apply(&mut shown, &scoped).unwrap_or_else(|e| panic!("fits: {e}"));
    let mut back = Tree::from_element(&one_tree.to_element());
    let restore = diff_trees(&two, &mut back, &mut ids2);
    apply(&mut shown, &restore).unwrap_or_else(|e| panic!("fits: {e}"));
    assert_eq!(shown, back.to_element(), "the list is put back");

    // A target missing from either render, or the root itself: no scoped diff.
    let mut again = Tree::from_element(&third);
    assert!(diff_scoped(&next, &mut again, "nowhere", &mut ids).is_none());
}

fn collect(e: &Element, out: &mut Vec<djust_runtime::vdom::NodeId>) {
    out.push(e.id);
    for c in &e.children {
        if let VNode::Element(c) = c {
            collect(c, out);
        }
    }
}

/// `djust._rust.diff_html` builds both documents with the streaming builder (html5ever
/// when it meets what it does not model) and diffs the flat trees: the same patches as
/// parsing both with html5ever and diffing elements, on the fast path (a 1,000-row
/// table, keyed and not; misnested formatting; text fostered out of a table) and on
/// the fallback (a formatting element around a block, an element fostered out of a
/// table).
#[test]
fn diff_html_through_the_builder_gives_the_patches_of_html5ever() {
    use djust_runtime::vdom::build::build_document_fast;
    use djust_runtime::vdom::build_document;
    use djust_runtime::vdom::diff::diff_trees;
    let a = rows(1000);
    let mut b = a.clone();
    b[500].1 = "changed".into();
    b.swap(10, 900);
    let misnested = |x: &str| format!("<!DOCTYPE html><div dj-root><p><b>bold <i>both</b> {x}</i></p></div>");
    let fostered =
        |x: &str| format!("<!DOCTYPE html><div dj-root><table><tr><td>1</td></tr>{x}</table></div>");
    let around_block = |x: &str| format!("<!DOCTYPE html><div dj-root><b>bold<p>{x}</b> after</p></div>");
    let element_fostered = |x: &str| {
        format!("<!DOCTYPE html><div dj-root><table><tr><td>1</td></tr><span>{x}</span></table></div>")
    };
    let cases = [
        (table(&a, true), table(&b, true), true),
        (table(&a, false), table(&b, false), true),
        (misnested("one"), misnested("two"), true),
        (fostered("stray"), fostered("moved"), true),
        (around_block("one"), around_block("two"), false),
        (element_fostered("one"), element_fostered("two"), false),
    ];
    for (old_html, new_html, fast) in &cases {
        assert_eq!(
            build_document_fast(new_html, &mut IdAllocator::new()).is_ok(),
            *fast,
            "which path builds {new_html:.80}"
        );
        let parsed = {
            let old = parse_document(old_html, &mut IdAllocator::new()).unwrap_or_else(|e| panic!("{e}"));
            let mut ids = IdAllocator::new();
            let mut new = parse_document(new_html, &mut ids).unwrap_or_else(|e| panic!("{e}"));
            diff(&old, &mut new, &mut ids)
        };
        let built = {
            let old = build_document(old_html, &mut IdAllocator::new()).unwrap_or_else(|e| panic!("{e}"));
            let mut ids = IdAllocator::new();
            let mut new = build_document(new_html, &mut ids).unwrap_or_else(|e| panic!("{e}"));
            diff_trees(&old, &mut new, &mut ids)
        };
        assert!(!parsed.is_empty());
        assert_eq!(parsed, built, "{old_html:.80}");
    }
}

/// `apply_to_html` (`djust._rust.apply_patches`, the load test's client): a root's HTML
/// with its ids and a reply's patches as JSON give the new root's HTML, ids included;
/// bad input is an error, not a panic.
#[test]
fn applying_patches_to_html_gives_the_new_roots_html() {
    use djust_runtime::vdom::{apply_to_html, ApplyHtmlError};
    let a = rows(200);
    let mut b = a.clone();
    b[50].1 = "changed".into();
    b.remove(7);
    b.swap(3, 150);
    let mut ids = IdAllocator::new();
    let old = parse_document(&table(&a, true), &mut ids).unwrap_or_else(|e| panic!("{e}"));
    let mut new = parse_document(&table(&b, true), &mut IdAllocator::new()).unwrap_or_else(|e| panic!("{e}"));
    let patches = diff(&old, &mut new, &mut ids);
    let json = serde_json::to_string(&patches).unwrap_or_else(|e| panic!("{e}"));
    let applied = apply_to_html(&old.to_html(), &json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(applied, new.to_html());
    assert!(matches!(
        apply_to_html("just text", "[]"),
        Err(ApplyHtmlError::NoRoot)
    ));
    assert!(matches!(
        apply_to_html(&old.to_html(), "{"),
        Err(ApplyHtmlError::BadPatches(_))
    ));
    let wrong = r#"[{"op":"text","p":"999999","i":0,"text":"x"}]"#;
    assert!(matches!(
        apply_to_html(&old.to_html(), wrong),
        Err(ApplyHtmlError::Apply(_))
    ));
}
