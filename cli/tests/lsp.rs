//! The language server's protocol suite: spawns `djust lsp` on a copy of `examples/`
//! and drives it with JSON-RPC, as an editor does.

mod support;

use serde_json::{json, Value};
use support::lsp_client::{example_copy, pos_of, uri, Lsp};

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn labels(result: &Value) -> Vec<String> {
    let items = if result.is_array() {
        result.clone()
    } else {
        result["items"].clone()
    };
    items
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| i["label"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn change(lsp: &mut Lsp, u: &str, version: i32, range: Value, text: &str) {
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": version},
               "contentChanges": [{"range": range, "text": text}]}),
    );
}

fn at(lsp: &mut Lsp, method: &str, u: &str, pos: Value) -> Value {
    lsp.request(method, json!({"textDocument": {"uri": u}, "position": pos}))
}

#[test]
fn initialize_answers_with_capabilities_and_the_server_exits_cleanly() {
    let root = example_copy("init");
    let (lsp, init) = Lsp::start(&root);
    let caps = &init["capabilities"];
    assert_eq!(init["serverInfo"]["name"], "djust");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(caps["definitionProvider"], true);
    assert_eq!(caps["referencesProvider"], true);
    assert_eq!(caps["documentSymbolProvider"], true);
    assert!(caps["completionProvider"]["triggerCharacters"]
        .as_array()
        .is_some_and(|t| t.contains(&json!("|")) && t.contains(&json!("\""))));
    assert_eq!(caps["codeActionProvider"]["codeActionKinds"], json!(["quickfix"]));
    // It does not take over HTML features.
    for absent in [
        "documentFormattingProvider",
        "renameProvider",
        "colorProvider",
        "linkedEditingRangeProvider",
    ] {
        assert!(caps.get(absent).is_none(), "{absent} advertised");
    }
    assert_eq!(lsp.shutdown(), Some(0));
}

#[test]
fn diagnostics_on_open_change_and_across_files() {
    let root = example_copy("diag");
    let (mut lsp, _) = Lsp::start(&root);
    // The project is analysed in the background: `djust check`'s V007 on support/views.py.
    let views = root.join("support/views.py");
    let vu = uri(&views);
    let text = lsp.open(&views, "python");
    let d = lsp.wait_diagnostics(&vu, 20, |d| !d.is_empty());
    assert_eq!(codes(&d), vec!["V007"]);
    assert_eq!(d[0]["source"], "djust");
    assert_eq!(d[0]["severity"], 2);
    assert_eq!(d[0]["range"]["start"], pos_of(&text, "send(self, message)", 0));
    assert!(d[0]["codeDescription"]["href"]
        .as_str()
        .is_some_and(|h| h.ends_with("V007.md")));

    // Fixing the signature in the buffer clears it (unsaved: the overlay wins).
    let p = pos_of(&text, "send(self, message)", "send(self, message".len());
    change(&mut lsp, &vu, 2, json!({"start": p, "end": p}), ", **kwargs");
    lsp.wait_diagnostics(&vu, 10, |d| d.is_empty());

    // Cross-file: pointing a view at a template without dj-root reports T002 there.
    let cat = root.join("catalog/views.py");
    let cu = uri(&cat);
    let ctext = lsp.open(&cat, "python");
    let s = pos_of(&ctext, "catalog/product_list.html", 0);
    let e = pos_of(
        &ctext,
        "catalog/product_list.html",
        "catalog/product_list.html".len(),
    );
    change(
        &mut lsp,
        &cu,
        2,
        json!({"start": s, "end": e}),
        "components/badge.html",
    );
    let badge = uri(&root.join("templates/components/badge.html"));
    let d = lsp.wait_diagnostics(&badge, 10, |d| !d.is_empty());
    // No dj-root (T002), and no dj-view either (T012).
    assert_eq!(codes(&d), vec!["T002", "T012"]);
    assert!(d[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("catalog.views.ProductListView")));
    // Closing the buffer goes back to the file on disk, and the finding goes away.
    lsp.notify("textDocument/didClose", json!({"textDocument": {"uri": cu}}));
    lsp.wait_diagnostics(&badge, 10, |d| d.is_empty());

    // Template syntax errors, with Django's message.
    let t = root.join("core/templates/core/counter.html");
    let tu = uri(&t);
    lsp.open(&t, "django-html");
    change(
        &mut lsp,
        &tu,
        2,
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}),
        "{% if broken %}\n{{ x|nosuchfilter }}\n",
    );
    let d = lsp.wait_diagnostics(&tu, 10, |d| d.len() >= 2);
    assert!(codes(&d).iter().all(|c| c == "E004"), "{d:?}");
    assert!(d.iter().any(|x| x["message"]
        .as_str()
        .is_some_and(|m| m.contains("Invalid filter: 'nosuchfilter'"))));
    assert!(d.iter().any(|x| x["message"]
        .as_str()
        .is_some_and(|m| m.contains("Unclosed tag on line 1: 'if'"))));

    // A file created outside the editor is picked up through didChangeWatchedFiles.
    assert!(lsp
        .server_requests
        .iter()
        .any(|m| m == "client/registerCapability"));
    let new = root.join("core/templates/core/new_page.html");
    std::fs::write(
        &new,
        "<div dj-view=\"core.views.CounterView\">{% endif %}</div>\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&new), "type": 1}]}),
    );
    let d = lsp.wait_diagnostics(&uri(&new), 10, |d| !d.is_empty());
    let mut c = codes(&d);
    c.sort();
    assert_eq!(c, vec!["E004", "T002"]);
    std::fs::remove_file(&new).unwrap_or_else(|e| panic!("{e}"));
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&new), "type": 3}]}),
    );
    lsp.wait_diagnostics(&uri(&new), 10, |d| d.is_empty());
    assert_eq!(lsp.shutdown(), Some(0));
}

#[test]
fn half_typed_python_keeps_the_server_and_the_index_alive() {
    let root = example_copy("halftyped");
    let (mut lsp, _) = Lsp::start(&root);
    let views = root.join("catalog/views.py");
    let vu = uri(&views);
    let text = lsp.open(&views, "python");
    // Break `mount` mid-statement, as while typing.
    let p = pos_of(&text, "    def _refresh(self):", 0);
    change(
        &mut lsp,
        &vu,
        2,
        json!({"start": p, "end": p}),
        "    def broken(self\n        self.x = \n\n",
    );
    let d = lsp.wait_diagnostics(&vu, 10, |d| !d.is_empty());
    assert_eq!(codes(&d), vec!["E001"]);
    // The template still completes the handlers that follow the broken method.
    let t = root.join("catalog/templates/catalog/product_list.html");
    let tu = uri(&t);
    let ttext = lsp.open(&t, "django-html");
    let r = at(
        &mut lsp,
        "textDocument/completion",
        &tu,
        pos_of(&ttext, "dj-input=\"search", "dj-input=\"".len()),
    );
    let l = labels(&r);
    for h in ["search", "filter_category", "toggle_in_stock", "sort_by"] {
        assert!(l.contains(&h.to_string()), "{h} missing from {l:?}");
    }
    assert_eq!(lsp.shutdown(), Some(0));
}

#[test]
fn completion_in_every_context() {
    let root = example_copy("completion");
    let (mut lsp, _) = Lsp::start(&root);
    let t = root.join("catalog/templates/catalog/product_list.html");
    let tu = uri(&t);
    let text = lsp.open(&t, "django-html");
    // Wait until the index is ready (the first analysis has published diagnostics
    // for the project, or at least finished): poll a handler completion.
    let handler_pos = pos_of(&text, "dj-click=\"toggle_in_stock", "dj-click=\"".len());
    let mut handlers = Vec::new();
    for _ in 0..200 {
        handlers = labels(&at(&mut lsp, "textDocument/completion", &tu, handler_pos.clone()));
        if !handlers.is_empty() {
            break;
        }
        lsp.pump(50);
    }
    // Handlers of the bound LiveView (ProductListView), inherited ones included.
    for h in [
        "search",
        "filter_category",
        "toggle_in_stock",
        "sort_by",
        "dismiss_flash",
    ] {
        assert!(handlers.contains(&h.to_string()), "{h} missing from {handlers:?}");
    }
    assert!(
        !handlers.contains(&"add_to_cart".to_string()),
        "a handler of another view: {handlers:?}"
    );
    let item = at(&mut lsp, "textDocument/completion", &tu, handler_pos);
    let search = item
        .as_array()
        .and_then(|a| a.iter().find(|i| i["label"] == "search").cloned())
        .unwrap_or_default();
    assert_eq!(search["detail"], "def search(self, value=\"\", **kwargs)");

    // Insert probes at the end of the file and complete at each.
    let mut version = 2;
    let mut probe = |lsp: &mut Lsp, insert: &str| -> Vec<String> {
        let doc_end = json!({"line": 10_000, "character": 0});
        change(
            lsp,
            &tu,
            version,
            json!({"start": doc_end, "end": doc_end}),
            insert,
        );
        version += 1;
        // The server clamps; find the real end: count lines of text + insert.
        let full = format!("{text}{insert}");
        let line = full.matches('\n').count();
        let col = full.rsplit('\n').next().unwrap_or("").encode_utf16().count();
        let r = at(
            lsp,
            "textDocument/completion",
            &tu,
            json!({"line": line, "character": col}),
        );
        // Undo, so each probe starts from the original text.
        let start = json!({"line": text.matches('\n').count(), "character": text.rsplit('\n').next().unwrap_or("").encode_utf16().count()});
        change(
            lsp,
            &tu,
            version,
            json!({"start": start, "end": {"line": line, "character": col}}),
            "",
        );
        version += 1;
        labels(&r)
    };
    let l = probe(&mut lsp, "<button dj-");
    for d in ["dj-click", "dj-submit", "dj-model", "dj-loading", "dj-debounce"] {
        assert!(l.contains(&d.to_string()), "{d} missing: {l:?}");
    }
    let l = probe(&mut lsp, "<input dj-keydown.");
    assert!(l.contains(&"enter".to_string()), "{l:?}");
    let l = probe(&mut lsp, "<input dj-model=\"");
    assert!(l.contains(&"query".to_string()), "{l:?}");
    let l = probe(&mut lsp, "{{ ");
    for s in [
        "query",
        "products",
        "categories",
        "in_stock_only",
        "cart_count",
        "request",
        "user",
    ] {
        assert!(l.contains(&s.to_string()), "{s} missing: {l:?}");
    }
    let l = probe(&mut lsp, "{% for row in products %}{% if ro");
    assert!(
        l.contains(&"row".to_string()) && l.contains(&"query".to_string()),
        "{l:?}"
    );
    let l = probe(&mut lsp, "{% block x %}{% ");
    assert_eq!(l.first().map(String::as_str), Some("endblock"), "{l:?}");
    assert!(l.contains(&"for".to_string()) && l.contains(&"include".to_string()));
    let l = probe(&mut lsp, "{{ query|");
    for f in ["upper", "date", "default", "pluralize"] {
        assert!(l.contains(&f.to_string()), "{f} missing: {l:?}");
    }
    let l = probe(&mut lsp, "{% include \"comp");
    assert!(l.contains(&"components/flash.html".to_string()), "{l:?}");
    assert!(l.contains(&"base.html".to_string()));
    let l = probe(&mut lsp, "<div dj-view=\"");
    assert!(l.contains(&"catalog.views.ProductListView".to_string()), "{l:?}");
    // Plain text and ordinary attributes get nothing from djust.
    assert!(probe(&mut lsp, "<p>some text ").is_empty());
    assert!(probe(&mut lsp, "<a href=\"").is_empty());

    // Python: template names after template_name = ".
    let v = root.join("catalog/views.py");
    let vu = uri(&v);
    let vtext = lsp.open(&v, "python");
    let r = at(
        &mut lsp,
        "textDocument/completion",
        &vu,
        pos_of(&vtext, "catalog/product_list.html", 4),
    );
    let l = labels(&r);
    assert!(l.contains(&"catalog/product_detail.html".to_string()), "{l:?}");
    assert_eq!(lsp.shutdown(), Some(0));
}

#[test]
fn hover_definition_references_symbols_and_code_actions() {
    let root = example_copy("nav");
    let (mut lsp, _) = Lsp::start(&root);
    let t = root.join("catalog/templates/catalog/product_list.html");
    let tu = uri(&t);
    let text = lsp.open(&t, "django-html");
    let views = root.join("catalog/views.py");
    let vtext = std::fs::read_to_string(&views).unwrap_or_default();
    // Wait for the index.
    let def_pos = pos_of(&text, "dj-change=\"filter_category", "dj-change=\"f".len());
    let mut def = Value::Null;
    for _ in 0..200 {
        def = at(&mut lsp, "textDocument/definition", &tu, def_pos.clone());
        if !def.is_null() {
            break;
        }
        lsp.pump(50);
    }
    // dj-change value → the handler's def.
    assert_eq!(def["uri"], uri(&views));
    assert_eq!(def["range"]["start"], pos_of(&vtext, "filter_category(self", 0));

    // Hover: the handler's signature, a directive, a filter, a tag.
    let h = at(&mut lsp, "textDocument/hover", &tu, def_pos.clone());
    let v = h["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        v.contains("def filter_category(self, value=\"\", **kwargs)")
            && v.contains("catalog.views.ProductListView"),
        "{v}"
    );
    let h = at(
        &mut lsp,
        "textDocument/hover",
        &tu,
        pos_of(&text, "dj-debounce", 4),
    );
    assert!(
        h["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("**dj-debounce**")),
        "{h}"
    );
    let h = at(&mut lsp, "textDocument/hover", &tu, pos_of(&text, "pluralize", 2));
    assert!(
        h["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("|pluralize")),
        "{h}"
    );
    let h = at(
        &mut lsp,
        "textDocument/hover",
        &tu,
        pos_of(&text, "{% include", 4),
    );
    assert!(
        h["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("{% include %}")),
        "{h}"
    );
    let h = at(
        &mut lsp,
        "textDocument/hover",
        &tu,
        pos_of(&text, "{{ query }}", 4),
    );
    assert!(
        h["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("state of `catalog.views.ProductListView`")),
        "{h}"
    );

    // extends / include → file; dj-view → class; block → the parent's block.
    let d = at(
        &mut lsp,
        "textDocument/definition",
        &tu,
        pos_of(&text, "base.html", 2),
    );
    assert_eq!(d["uri"], uri(&root.join("templates/base.html")));
    let d = at(
        &mut lsp,
        "textDocument/definition",
        &tu,
        pos_of(&text, "components/flash.html", 3),
    );
    assert_eq!(d["uri"], uri(&root.join("templates/components/flash.html")));
    let d = at(
        &mut lsp,
        "textDocument/definition",
        &tu,
        pos_of(&text, "catalog.views.ProductListView", 15),
    );
    assert_eq!(d["uri"], uri(&views));
    assert_eq!(
        d["range"]["start"]["line"],
        pos_of(&vtext, "class ProductListView", 0)["line"]
    );
    let base = std::fs::read_to_string(root.join("templates/base.html")).unwrap_or_default();
    let d = at(
        &mut lsp,
        "textDocument/definition",
        &tu,
        pos_of(&text, "block content", 8),
    );
    assert_eq!(d["uri"], uri(&root.join("templates/base.html")));
    assert_eq!(d["range"]["start"], pos_of(&base, "{% block content %}", 0));
    // template_name → file, from Python.
    let vu = uri(&views);
    lsp.open(&views, "python");
    let d = at(
        &mut lsp,
        "textDocument/definition",
        &vu,
        pos_of(&vtext, "catalog/product_list.html", 3),
    );
    assert_eq!(d["uri"], tu);

    // Hover on a rule code in a noqa comment shows the rule's documentation.
    let edited = vtext.replacen(
        "def search(self, value=\"\", **kwargs):",
        "def search(self, value=\"\", **kwargs):  # noqa: V007",
        1,
    );
    assert_ne!(edited, vtext);
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": vu, "version": 2}, "contentChanges": [{"text": edited}]}),
    );
    let h = at(&mut lsp, "textDocument/hover", &vu, pos_of(&edited, "V007", 2));
    assert!(
        h["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.starts_with("# V007: event-handler-missing-kwargs")),
        "{h}"
    );
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": vu, "version": 3}, "contentChanges": [{"text": vtext}]}),
    );

    // References of a handler: from its def to every template that calls it.
    let r = lsp.request(
        "textDocument/references",
        json!({"textDocument": {"uri": vu}, "position": pos_of(&vtext, "sort_by(self", 2),
               "context": {"includeDeclaration": false}}),
    );
    let refs = r.as_array().cloned().unwrap_or_default();
    assert_eq!(refs.len(), 3, "{r}");
    assert!(refs.iter().all(|x| x["uri"] == tu));
    let lines: Vec<u64> = refs
        .iter()
        .filter_map(|x| x["range"]["start"]["line"].as_u64())
        .collect();
    // The template's lines (0-based) that call it, read from the template itself.
    let calling: Vec<u64> = (0u64..)
        .zip(text.lines())
        .filter(|(_, l)| l.contains("dj-click=\"sort_by\""))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        calling.len(),
        3,
        "the example's product list sorts by three columns"
    );
    assert_eq!(lines, calling);

    // Document symbols: blocks of a template, LiveViews and handlers of a view file.
    let s = lsp.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": tu}}),
    );
    let names: Vec<&str> = s
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, vec!["title", "content"]);
    let s = lsp.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": vu}}),
    );
    let plv = s
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == "ProductListView").cloned())
        .unwrap_or_default();
    let kids: Vec<&str> = plv["children"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        kids,
        vec!["search", "filter_category", "toggle_in_stock", "sort_by"]
    );

    // Code actions: the V007 fix and noqa, on support/views.py.
    let sv = root.join("support/views.py");
    let su = uri(&sv);
    let stext = lsp.open(&sv, "python");
    let d = lsp.wait_diagnostics(&su, 20, |d| !d.is_empty());
    let r = lsp.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": su}, "range": d[0]["range"], "context": {"diagnostics": d}}),
    );
    let acts = r.as_array().cloned().unwrap_or_default();
    let titles: Vec<&str> = acts.iter().filter_map(|a| a["title"].as_str()).collect();
    assert_eq!(
        titles,
        vec![
            "Add `**kwargs` to the signature (V007)",
            "Suppress V007 with a noqa comment"
        ]
    );
    let edit = &acts[0]["edit"]["changes"][su.as_str()][0];
    assert_eq!(edit["newText"], ", **kwargs");
    assert_eq!(
        edit["range"]["start"],
        pos_of(&stext, "send(self, message):", "send(self, message".len())
    );
    let noqa = &acts[1]["edit"]["changes"][su.as_str()][0];
    assert_eq!(noqa["newText"], "  # noqa: V007");
    // The T002 fix: add dj-root to the dj-view element.
    let td = root.join("support/templates/support/ticket_detail.html");
    let tdu = uri(&td);
    let tdtext = lsp.open(&td, "django-html");
    let d = lsp.wait_diagnostics(&tdu, 20, |d| !d.is_empty());
    let r = lsp.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": tdu}, "range": d[0]["range"], "context": {"diagnostics": d}}),
    );
    let fix = &r[0];
    assert_eq!(fix["title"], "Add `dj-root` to the `dj-view` element (T002)");
    let e = &fix["edit"]["changes"][tdu.as_str()][0];
    assert_eq!(e["newText"], " dj-root");
    assert_eq!(e["range"]["start"], pos_of(&tdtext, "<article", "<article".len()));
    assert_eq!(
        r[1]["edit"]["changes"][tdu.as_str()][0]["newText"],
        "{# noqa: T002 #}\n"
    );
    assert_eq!(lsp.shutdown(), Some(0));
}

#[test]
fn components_resolve_their_handlers_and_a_missing_template_can_be_created() {
    let root = std::env::temp_dir().join(format!("djust-lsp-components-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap_or(&root)).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(p, text).unwrap_or_else(|e| panic!("{e}"));
    };
    write("manage.py", "");
    write("shop/__init__.py", "");
    write(
        "shop/apps.py",
        "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = \"shop\"\n",
    );
    write(
        "shop/components.py",
        "from djust import LiveComponent\nfrom djust.decorators import event_handler\n\n\nclass Cart(LiveComponent):\n    template_name = \"shop/cart.html\"\n\n    @event_handler\n    def remove(self, index=0, **kwargs):\n        pass\n",
    );
    write(
        "shop/templates/shop/cart.html",
        "<ul><li><button dj-click=\"remove\">x</button></li></ul>\n",
    );
    write(
        "shop/views.py",
        "from djust import LiveView\n\n\nclass PageView(LiveView):\n    template_name = \"shop/page.html\"\n\n\nclass CartView(LiveView):\n    template_name = \"shop/cart.html\"\n",
    );
    let root = root.canonicalize().unwrap_or(root);
    let (mut lsp, _) = Lsp::start(&root);
    let cart = root.join("shop/templates/shop/cart.html");
    let text = lsp.open(&cart, "django-html");
    let pos = pos_of(&text, "dj-click=\"remove", "dj-click=\"".len());
    let mut handlers = Vec::new();
    for _ in 0..200 {
        handlers = labels(&at(&mut lsp, "textDocument/completion", &uri(&cart), pos.clone()));
        if !handlers.is_empty() {
            break;
        }
        lsp.pump(50);
    }
    assert!(handlers.contains(&"remove".to_string()), "{handlers:?}");
    // The handler resolves to the component's method.
    let def = at(&mut lsp, "textDocument/definition", &uri(&cart), pos.clone());
    let def = if def.is_array() { def[0].clone() } else { def };
    assert_eq!(def["uri"], uri(&root.join("shop/components.py")), "{def}");
    assert_eq!(def["range"]["start"]["line"], 8, "{def}");

    let views = root.join("shop/views.py");
    let vtext = lsp.open(&views, "python");
    let line = |needle: &str| pos_of(&vtext, needle, 0)["line"].clone();
    let actions_at = |lsp: &mut Lsp, needle: &str| {
        let l = line(needle);
        lsp.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri(&views)}, "range": {"start": {"line": l, "character": 0}, "end": {"line": l, "character": 0}}, "context": {"diagnostics": []}}),
        )
    };
    let actions = actions_at(&mut lsp, "\"shop/page.html\"");
    let create = actions
        .as_array()
        .and_then(|a| {
            a.iter().find(|a| {
                a["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Create template"))
            })
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        create["title"], "Create template shop/templates/shop/page.html for PageView",
        "{actions}"
    );
    let ops = &create["edit"]["documentChanges"];
    let target = uri(&root.join("shop/templates/shop/page.html"));
    assert_eq!(ops[0]["kind"], "create");
    assert_eq!(ops[0]["uri"], target.as_str());
    assert_eq!(ops[0]["options"]["overwrite"], false);
    let content = ops[1]["edits"][0]["newText"].as_str().unwrap_or_default();
    assert!(
        content.contains("<main dj-root dj-view=\"shop.views.PageView\">"),
        "{content}"
    );
    // A template_name that exists gets no such action.
    let actions = actions_at(&mut lsp, "\"shop/cart.html\"");
    assert!(!actions.to_string().contains("Create template"), "{actions}");
    assert_eq!(lsp.shutdown(), Some(0));
}
