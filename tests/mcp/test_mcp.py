"""`djust mcp` driven by the official MCP Python SDK (`mcp` 2.3.0) and by raw JSON-RPC.

The SDK spawns the `djust` binary (DJUST_BIN, default target/debug/djust) on the example
project, in each protocol mode: the handshake era ("legacy": initialize), "auto" (probes
server/discover, the 2026-07-28 revision) and a pinned "2026-07-28". Every tool is
listed and called; each structuredContent validates against the tool's outputSchema
and matches what `djust check` / `djust rule` print for the same input.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DJUST = os.environ.get("DJUST_BIN", str(ROOT / "target" / "debug" / "djust"))
MODES = ["legacy", "auto", "2026-07-28"]
# A template whose LiveView root is split (T005) and a second view without dj-root (T002).
TEMPLATE = """<section dj-view="shop.views.Cart"><div dj-root>{{ total }}</div></section>
<aside dj-view="shop.views.Promo"><p>{{ promo }}</p></aside>
"""


def djust_json(*args: str) -> list[dict]:
    done = subprocess.run([DJUST, *args], capture_output=True, text=True, cwd=EXAMPLES, check=False)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def session(mode: str, body, cwd: Path = EXAMPLES, env: dict[str, str] | None = None):
    async def run():
        params = StdioServerParameters(command=DJUST, args=["mcp"], cwd=str(cwd), env=env)
        async with Client(params, mode=mode) as client:
            return await body(client)

    return asyncio.run(run())


@pytest.mark.parametrize("mode", MODES)
def test_lists_the_tools_with_schemas(mode: str) -> None:
    async def body(client):
        return client.protocol_version, (await client.list_tools()).tools

    version, tools = session(mode, body)
    assert version == ("2025-11-25" if mode == "legacy" else "2026-07-28")
    assert [t.name for t in tools] == [
        "detect_common_issues",
        "validate_view",
        "check_project",
        "explain_check",
        "list_views",
        "find_handlers_for_template",
        "get_framework_schema",
        "get_template_directives",
        "get_decorators",
        "get_best_practices",
        "scaffold_view",
        "scaffold_component",
        "get_handler_timings",
        "get_sql_queries",
        "get_last_traceback",
        "get_view_state",
    ]
    for tool in tools:
        jsonschema.Draft202012Validator.check_schema(tool.input_schema)
        jsonschema.Draft202012Validator.check_schema(tool.output_schema)
        assert tool.input_schema["type"] == "object" and tool.description
        writes = tool.name.startswith("scaffold_")  # only with write: true
        assert tool.annotations.read_only_hint is not writes and tool.annotations.destructive_hint is writes


def call_all(client):
    async def go():
        tools = {t.name: t for t in (await client.list_tools()).tools}
        view = (EXAMPLES / "cart" / "views.py").read_text()
        template = TEMPLATE
        calls = {
            "detect_py": ("detect_common_issues", {"code": view, "filename": "cart/views.py"}),
            "detect_tpl": ("detect_common_issues", {"code": template, "filename": "page.html"}),
            "detect_tpl_sniffed": ("detect_common_issues", {"code": template}),
            "detect_sniffed": ("detect_common_issues", {"code": "class A:\n    def f(self):\n        pass\n"}),
            "validate_bad": ("validate_view", {"code": view}),
            "validate_ok": (
                "validate_view",
                {"code": 'from djust import LiveView\n\nclass V(LiveView):\n    template_name = "v.html"\n'},
            ),
            "project": ("check_project", {}),
            "project_file": ("check_project", {"path": "cart/views.py"}),
            "explain": ("explain_check", {"code": "v006"}),
            "views": ("list_views", {}),
            "handlers": ("find_handlers_for_template", {"template_path": "catalog/product_list.html"}),
            "handlers_by_file": (
                "find_handlers_for_template",
                {"template_path": "cart/templates/cart/cart.html"},
            ),
            "schema": ("get_framework_schema", {}),
            "directives": ("get_template_directives", {}),
            "decorators": ("get_decorators", {}),
            "practices": ("get_best_practices", {}),
        }
        out = {}
        for key, (name, args) in calls.items():
            result = await client.call_tool(name, args)
            assert not result.is_error, (key, result.content)
            jsonschema.validate(result.structured_content, tools[name].output_schema)
            # The text block carries the same JSON.
            assert json.loads(result.content[0].text) == result.structured_content
            out[key] = result.structured_content
        return out

    return go()


@pytest.mark.parametrize("mode", MODES)
def test_every_tool_gives_djust_checks_results(mode: str, tmp_path: Path) -> None:
    out = session(mode, call_all)
    expected = djust_json("check", "cart/views.py", "--output-format", "json")
    got = out["detect_py"]
    assert got["language"] == "python"
    assert [(i["code"], i["line"], i["column"], i["message"]) for i in got["issues"]] == [
        (f["code"], f["location"]["row"], f["location"]["column"], f["message"]) for f in expected
    ]
    assert {i["type"] for i in got["issues"]} == {"service_in_state", "missing_kwargs"}
    assert got["summary"] == {"total": len(expected), "errors": 0, "warnings": len(expected), "info": 0}

    # The same text checked by `djust check` as a file of its own gives the same findings.
    tmp = tmp_path
    (tmp / "page.html").write_text(TEMPLATE)
    on_disk = json.loads(
        subprocess.run(
            [DJUST, "check", "page.html", "--output-format", "json"],
            capture_output=True,
            text=True,
            cwd=tmp,
            check=False,
        ).stdout
    )
    assert on_disk, "the template has findings"
    for key in ("detect_tpl", "detect_tpl_sniffed"):
        assert out[key]["language"] == "template"
        assert [(i["code"], i["line"], i["column"], i["message"]) for i in out[key]["issues"]] == [
            (f["code"], f["location"]["row"], f["location"]["column"], f["message"]) for f in on_disk
        ]
    assert out["detect_sniffed"]["language"] == "python"

    assert out["validate_bad"]["valid"] is False and out["validate_ok"]["valid"] is True

    project = djust_json("check", "--output-format", "json")
    assert out["project"]["findings"] == project
    assert out["project"]["summary"]["total"] == len(project) == 9
    assert [f["code"] for f in out["project_file"]["findings"]] == [f["code"] for f in expected]

    rule = subprocess.run([DJUST, "rule", "V006"], capture_output=True, text=True, check=True).stdout
    assert out["explain"]["code"] == "V006" and out["explain"]["documentation"].strip() in rule

    # list_views: every LiveView with its template and handlers; the handlers without
    # **kwargs are exactly djust check's V007 findings.
    views = {v["path"]: v for v in out["views"]["views"]}
    assert len(views) == 20  # the example shop's LiveViews (support.views.ReturnRequestView the last added)
    products = views["catalog.views.ProductListView"]
    assert products["template_file"] == "catalog/templates/catalog/product_list.html"
    assert {h["name"] for h in products["handlers"]} == {
        "search",
        "filter_category",
        "toggle_in_stock",
        "sort_by",
        "dismiss_flash",  # inherited from core.mixins.FlashMixin
    }
    no_kwargs = {(h["file"], h["line"]) for v in views.values() for h in v["handlers"] if not h["accepts_kwargs"]}
    v007 = {(f["filename"], f["location"]["row"]) for f in project if f["code"] == "V007"}
    assert no_kwargs == v007

    found = out["handlers"]
    assert found["resolved_path"] == "catalog/templates/catalog/product_list.html"
    (view,) = found["views"]
    assert view["path"] == "catalog.views.ProductListView" and view["bound_by"] == "template_name"
    assert view["handlers_in_template_not_in_view"] == [] and view["handlers_in_view_not_in_template"] == []
    # dismiss_flash comes from the included components/flash.html.
    assert {"file": "templates/components/flash.html", "target": "dismiss_flash"}.items() <= next(
        r for r in found["handlers_in_template"] if r["target"] == "dismiss_flash"
    ).items()
    assert out["handlers_by_file"]["views"][0]["path"] == "cart.views.CartView"

    # One knowledge base: the schema carries the same directives and decorators.
    assert out["schema"]["directives"] == out["directives"]["directives"]
    assert out["schema"]["decorators"] == out["decorators"]["decorators"]
    pitfalls = {p["id"] for p in out["practices"]["common_pitfalls"]}
    assert {"V006", "V007", "T002", "T005"} <= pitfalls


def test_the_knowledge_base_matches_the_client_and_the_python_package() -> None:
    """Every dj-* attribute the client reads is documented, and nothing else is; every
    decorator of djust.decorators is documented with its real parameter names."""

    async def body(client):
        directives = (await client.call_tool("get_template_directives", {})).structured_content["directives"]
        decorators = (await client.call_tool("get_decorators", {})).structured_content["decorators"]
        return directives, decorators

    directives, decorators = session("legacy", body)
    client_js = (ROOT / "client" / "src" / "client.js").read_text()
    # Every module of the client: hooks, streams, transitions, optimistic updates, …
    sources = "\n".join(p.read_text() for p in sorted((ROOT / "client" / "src").glob("*.js")))
    session_py = (ROOT / "python" / "djust" / "session.py").read_text()
    used = set(re.findall(r"[\"'`](dj-[a-z-]+)", sources)) | {"dj-root", "dj-key", "dj-update"}
    # Set by the client and the server, not written in templates.
    used -= {"dj-connection", "dj-id", "dj-session", "dj-component", "dj-leaving", "dj-stream-item", "dj-transition-"}
    used -= {"dj-if"}  # the comments that mark {% if %} branches in the server's HTML
    # The transition classes' attributes are built as `dj-transition-${phase}[-to]`.
    used |= {f"dj-transition-{phase}{to}" for phase in ("enter", "leave") for to in ("", "-to")}
    # Event directives are `dj-${type}` for the DOM events the client listens to.
    events = re.search(r"const EVENTS = \[([^\]]*)\]", client_js).group(1)
    used |= {f"dj-{e}" for e in re.findall(r'"(\w+)"', events) if e != "focusout"}
    documented = {d["name"] for d in directives}
    assert documented == used, documented ^ used
    for d in directives:
        for m in d["modifiers"]:
            if d["name"] in ("dj-keydown", "dj-keyup"):
                continue  # any KeyboardEvent.key works
            if d["name"] == "dj-model":  # parsed from the attribute name: "lazy", "trim", "debounce-"
                assert f'"{m.removesuffix("N")}' in client_js, (d["name"], m)
                continue
            assert f"{d['name']}.{m}" in client_js, (d["name"], m)
    assert "model_fields()" in session_py  # dj-model's allow-list is enforced server-side

    schema = session("legacy", lambda c: c.call_tool("get_framework_schema", {})).structured_content
    components = (ROOT / "python" / "djust" / "components.py").read_text()
    live_view = (ROOT / "python" / "djust" / "live_view.py").read_text()
    for member in schema["lifecycle_methods"]:
        assert f"def {member['name']}(" in live_view, member["name"]
    for member in schema["components"]:
        name = member["name"]
        assert f"def {name}(" in components or f'"{name}"' in components or f"{{% {name} " in components, name

    source = (ROOT / "python" / "djust" / "decorators.py").read_text()
    for d in decorators:
        assert f"def {d['name']}(" in source, d["name"]
        for param in re.findall(r"\((\w+)=", d["signature"]):
            assert re.search(rf"def {d['name']}\([^)]*\b{param}\b", source), (d["name"], param)


@pytest.mark.parametrize("mode", ["legacy", "auto"])
def test_tool_failures_are_is_error_results_and_the_server_keeps_going(mode: str) -> None:
    async def body(client):
        results = [
            await client.call_tool("detect_common_issues", {}),
            await client.call_tool("detect_common_issues", {"code": 3}),
            await client.call_tool("check_project", {"path": "../.."}),
            await client.call_tool("check_project", {"path": "no/such/dir"}),
            # Outside the workspace, existing or not: the same answer (no existence oracle).
            await client.call_tool("check_project", {"path": "/etc"}),
            await client.call_tool("check_project", {"path": "/no/such/dir/anywhere"}),
            await client.call_tool("explain_check", {"code": "X999"}),
            await client.call_tool("explain_check", {"code": "V006", "extra": 1}),
            await client.call_tool("find_handlers_for_template", {"template_path": "no/such.html"}),
        ]
        with pytest.raises(MCPError) as unknown:
            await client.call_tool("no_such_tool", {})
        after = await client.call_tool("explain_check", {"code": "T002"})
        return results, unknown.value, after

    results, unknown, after = session(mode, body)
    messages = [r.content[0].text for r in results]
    assert all(r.is_error for r in results), messages
    assert 'missing required argument "code"' in messages[0]
    assert "must be a string" in messages[1]
    assert "no such path in the workspace" in messages[2]
    assert "no such path in the workspace" in messages[3]
    assert messages[4].replace("/etc", "P") == messages[5].replace("/no/such/dir/anywhere", "P")
    assert "unknown rule" in messages[6] and "V006" in messages[6]
    assert 'unknown argument "extra"' in messages[7]
    assert unknown.error.code == -32602
    assert not after.is_error


def raw(*lines: str) -> tuple[list[dict], subprocess.CompletedProcess]:
    done = subprocess.run(
        [DJUST, "mcp"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=EXAMPLES,
        timeout=30,
        check=False,
    )
    return [json.loads(line) for line in done.stdout.splitlines()], done


def test_raw_json_rpc_errors_use_the_protocol_codes() -> None:
    replies, done = raw(
        "this is not json",
        "[]",
        '{"jsonrpc": "2.0", "id": 1}',
        '{"jsonrpc": "1.0", "id": 2, "method": "ping"}',
        '{"jsonrpc": "2.0", "id": 3, "method": "resources/list"}',
        '{"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"arguments": {}}}',
        '{"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": [1]}',
        '{"jsonrpc": "2.0", "method": "notifications/initialized"}',
        '{"jsonrpc": "2.0", "id": 6, "method": "tools/list",'
        ' "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": "1999-01-01"}}}',
        '{"jsonrpc": "2.0", "id": 7, "method": "ping"}',
        '{"jsonrpc": "2.0", "id": 8, "method": "tools/list",'
        ' "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}}',
        '{"jsonrpc": "2.0", "id": 9, "method": "ping", "params": {"_meta": {'
        '"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}}}',
    )
    assert done.returncode == 0, done.stderr  # stdin closed: a clean exit
    codes = [(r.get("id"), r.get("error", {}).get("code")) for r in replies]
    assert codes == [
        (None, -32700),
        (None, -32600),
        (1, -32600),
        (2, -32600),
        (3, -32601),
        (4, -32602),
        (5, -32602),
        (6, -32022),
        (7, None),
        (8, -32602),  # a stateless request without clientCapabilities
        (9, -32601),  # ping is gone in 2026-07-28
    ]
    assert "2026-07-28" in replies[7]["error"]["data"]["supported"]
    assert replies[8]["result"] == {}


def test_initialize_echoes_a_supported_version_and_discover_lists_them() -> None:
    replies, _ = raw(
        '{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-03-26"}}',
        '{"jsonrpc": "2.0", "id": 2, "method": "initialize", "params": {"protocolVersion": "2030-01-01"}}',
        '{"jsonrpc": "2.0", "id": 3, "method": "server/discover",'
        ' "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}}',
    )
    assert replies[0]["result"]["protocolVersion"] == "2025-03-26"
    assert replies[1]["result"]["protocolVersion"] == "2025-11-25"
    discover = replies[2]["result"]
    assert discover["resultType"] == "complete" and discover["serverInfo"]["name"] == "djust"
    assert set(discover["supportedVersions"]) >= {"2025-11-25", "2026-07-28"}


def test_configuration_changes_are_picked_up_between_calls(tmp_path: Path) -> None:
    view = "from djust import LiveView\nfrom djust.decorators import event_handler\n\n\nclass V(LiveView):\n"
    view += '    template_name = "v.html"\n\n    @event_handler\n    def go(self):\n        pass\n'
    view += "\n    def mount(self, request, **kwargs):\n        pass\n"
    call = json.dumps(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "detect_common_issues", "arguments": {"code": view, "filename": "views.py"}},
        }
    )
    proc = subprocess.Popen([DJUST, "mcp"], cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def codes() -> list[str]:
        proc.stdin.write(call + "\n")
        proc.stdin.flush()
        reply = json.loads(proc.stdout.readline())
        return [i["code"] for i in reply["result"]["structuredContent"]["issues"]]

    try:
        assert codes() == ["V007"]
        (tmp_path / "pyproject.toml").write_text('[tool.djust]\nignore = ["V007"]\n')
        assert codes() == []
        (tmp_path / "pyproject.toml").write_text("[tool.djust]\nignore = []\n")
        os.utime(tmp_path / "pyproject.toml", ns=(1, 1))  # a different time, even on coarse clocks
        assert codes() == ["V007"]
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)


def test_find_handlers_reports_both_kinds_of_mismatch(tmp_path: Path) -> None:
    app = tmp_path / "shop"
    (app / "templates" / "shop").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "views.py").write_text(
        "from djust import LiveView\nfrom djust.decorators import event_handler\n\n\n"
        "class Cart(LiveView):\n"
        '    template_name = "shop/cart.html"\n\n'
        "    @event_handler\n    def add(self, **kwargs):\n        pass\n\n"
        "    @event_handler\n    def never_used(self, **kwargs):\n        pass\n"
    )
    (app / "templates" / "shop" / "cart.html").write_text(
        '<div dj-root dj-view="shop.views.Cart"><button dj-click="add">+</button>'
        '<button dj-click="remove">-</button><input dj-model="qty"><b dj-click="{{ dynamic }}">?</b></div>\n'
    )

    async def body(client):
        return await client.call_tool("find_handlers_for_template", {"template_path": "shop/cart.html"})

    async def run():
        params = StdioServerParameters(command=DJUST, args=["mcp"], cwd=str(tmp_path))
        async with Client(params, mode="legacy") as client:
            return await body(client)

    result = asyncio.run(run())
    assert not result.is_error, result.content
    (view,) = result.structured_content["views"]
    assert view["matched_handlers"] == ["add"]
    assert view["handlers_in_template_not_in_view"] == ["remove"]
    assert view["handlers_in_view_not_in_template"] == ["never_used"]
    targets = [(r["directive"], r["target"]) for r in result.structured_content["handlers_in_template"]]
    assert targets == [("dj-click", "add"), ("dj-click", "remove"), ("dj-model", "qty")]


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
def test_snippets_of_workspace_files_get_djust_checks_project_findings(mode: str) -> None:
    """Given a workspace file's name, detect_common_issues checks the project with the
    snippet in that file's place: for every file with findings, the snippet (the file's
    own text) gets exactly the findings `djust check` reports for it, cross-file rules
    (T002 through {% extends %}, V007 through imported decorators) included."""
    project = djust_json("check", "--output-format", "json")
    files = sorted({f["filename"] for f in project})

    async def body(client):
        out = {}
        for name in files:
            text = (EXAMPLES / name).read_text()
            result = await client.call_tool("detect_common_issues", {"code": text, "filename": name})
            assert not result.is_error, result.content
            out[name] = result.structured_content["issues"]
        # An edited buffer: the fix removes the finding.
        fixed = (
            (EXAMPLES / "cart" / "views.py")
            .read_text()
            .replace("def remove_line(self, line_id):", "def remove_line(self, line_id, **kwargs):")
        )
        edited = await client.call_tool("detect_common_issues", {"code": fixed, "filename": "cart/views.py"})
        return out, edited.structured_content["issues"]

    out, edited = session(mode, body)
    assert len(files) == 7
    for name in files:
        expected = [
            (f["code"], f["location"]["row"], f["location"]["column"]) for f in project if f["filename"] == name
        ]
        assert [(i["code"], i["line"], i["column"]) for i in out[name]] == expected, name
    assert [i["code"] for i in edited] == ["V006"]


# Issue 16, item 4: each of these used to abort `djust mcp` (a stack overflow).
DEEP_SNIPPETS = [
    ("views.py", "x = a" + ".b" * 100_000 + "\n"),
    ("views.py", "x = " + "-" * 100_000 + "1\n"),
    ("views.py", "x = " + "f(" * 100_000 + ")" * 100_000 + "\n"),
    ("views.py", "".join(" " * i + "if x:\n" for i in range(1000)) + " " * 1000 + "pass\n"),
    ("page.html", "{% if x %}" * 10_000),
    ("page.html", "{% if " + "not " * 100_000 + "x %}{% endif %}"),
    ("page.html", '<div dj-root dj-view="a.B">' + "<div>" * 100_000 + "</div>" * 100_001),
]


def test_deeply_nested_snippets_are_findings_and_the_server_keeps_going() -> None:
    async def body(client):
        results = []
        for filename, code in DEEP_SNIPPETS:
            results.append(await client.call_tool("detect_common_issues", {"code": code, "filename": filename}))
        after = await client.call_tool("explain_check", {"code": "E001"})
        return results, after

    results, after = session("legacy", body)
    for (filename, _), result in zip(DEEP_SNIPPETS, results, strict=True):
        issues = result.structured_content["issues"]
        codes = {i["code"] for i in issues}
        assert not result.is_error and codes == {"E001" if filename.endswith(".py") else "E004"}, issues[:3]
        assert len(issues) <= 2, issues
    assert not after.is_error


def test_scaffold_tools_plan_then_write_all_or_nothing(tmp_path: Path) -> None:
    """scaffold_view / scaffold_component run the generator of `djust new`: a plan with
    each file's content and nothing written, then every file with write: true; a
    conflict is an isError result and writes nothing."""
    new = subprocess.run([DJUST, "new", "project", "mysite"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert new.returncode == 0, new.stderr
    root = tmp_path / "mysite"
    made = subprocess.run(
        [DJUST, "new", "app", "shop", "--wire"], cwd=root, capture_output=True, text=True, check=False
    )
    assert made.returncode == 0, made.stderr

    async def body(client):
        tools = {t.name: t for t in (await client.list_tools()).tools}
        plan = await client.call_tool("scaffold_view", {"name": "TodoList", "fields": ["title:str"], "wire": True})
        assert not plan.is_error, plan.content
        jsonschema.validate(plan.structured_content, tools["scaffold_view"].output_schema)
        assert not (root / "shop" / "live").exists()  # a plan writes nothing
        written = await client.call_tool(
            "scaffold_view", {"name": "TodoList", "fields": ["title:str"], "wire": True, "write": True}
        )
        component = await client.call_tool("scaffold_component", {"name": "cart", "write": True})
        (root / "shop" / "components" / "cart.py").write_text("# mine\n")
        conflict = await client.call_tool("scaffold_component", {"name": "cart", "write": True})
        bad = await client.call_tool("scaffold_view", {"name": "class"})
        return plan.structured_content, written.structured_content, component.structured_content, conflict, bad

    plan, written, component, conflict, bad = session("legacy", body, cwd=root)
    files = {f["path"]: f for f in plan["files"]}
    assert files["shop/live/todo_list.py"]["action"] == "create"
    assert "class TodoListView(LiveView):" in files["shop/live/todo_list.py"]["content"]
    assert 'dj-view="shop.live.todo_list.TodoListView"' in files["shop/templates/shop/todo_list.html"]["content"]
    assert files["shop/urls.py"]["action"] == "modify" and plan["written"] == []
    assert sorted(written["written"]) == sorted(p for p, f in files.items() if f["action"] in ("create", "modify"))
    assert (root / "shop" / "live" / "todo_list.py").read_text() == files["shop/live/todo_list.py"]["content"]
    assert 'path("todo-list/", TodoListView.as_view(), name="todo_list")' in (root / "shop" / "urls.py").read_text()
    assert "shop/components/cart.py" in component["written"]
    assert conflict.is_error and "shop/components/cart.py" in conflict.content[0].text
    assert (root / "shop" / "components" / "cart.py").read_text() == "# mine\n"
    assert bad.is_error and "is a Python keyword" in bad.content[0].text


def test_live_tools_say_what_to_set_when_the_server_cannot_be_read() -> None:
    """The live tools read the server configured by DJUST_PROFILE_URL (never one a call
    names): a port nothing listens on, and a non-loopback URL without a token (refused
    before any connection), are isError results that say what to set."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there

    async def body(client):
        return [
            await client.call_tool("get_handler_timings", {}),
            await client.call_tool("get_view_state", {"session": "x"}),
        ]

    base = {k: v for k, v in os.environ.items() if k != "DJUST_PROFILE_TOKEN"}
    down = session("legacy", body, env={**base, "DJUST_PROFILE_URL": f"http://127.0.0.1:{port}"})
    for result in down:
        assert result.is_error and "Is the server running?" in result.content[0].text
    remote = session("legacy", body, env={**base, "DJUST_PROFILE_URL": "http://10.0.0.5:8000"})
    for result in remote:
        assert result.is_error and "not a loopback address" in result.content[0].text
        assert "DJUST_PROFILE_TOKEN" in result.content[0].text
