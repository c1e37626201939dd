// Hooks (src/hooks.js) and server push in the client (src/client.js) on happy-dom with
// a scripted WebSocket: every lifecycle callback, this.el / pushEvent / handleEvent,
// the registries, re-mounts, and `events` on replies dispatched to callbacks and as
// `djust:push_event` DOM events (issue 21, points 2 and 3). The server side is
// python/tests/test_push_event.py; Chromium runs both on the example's counter.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Window } from "happy-dom";
import { socketClass } from "./fake-socket.mjs";
import { start } from "../src/client.js";
import { definition } from "../src/hooks.js";


const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A page with `hooks` registered (as window.DjustHooks unless `own`), mounted. */
function boot(mountedHtml, hooks, { own = false, events } = {}) {
  const window = new Window({ url: "http://shop.test/chart/" });
  const document = window.document;
  if (own) window.djust = { hooks };
  else window.DjustHooks = hooks;
  document.body.innerHTML = `<div dj-view="app.views.Chart" dj-root dj-session="t:1"></div>`;
  const { FakeSocket, sockets } = socketClass();
  const views = start(document, { WebSocket: FakeSocket });
  const ws = sockets[0];
  ws.open();
  ws.reply({ type: "mounted", html: mountedHtml, v: 1, events });
  return { window, document, view: views[0], ws, sockets };
}

/** A hook definition that logs each callback with the element's text. */
function recorder(log, extra = {}) {
  const entry = (name) =>
    function () {
      log.push(`${name}:${this.el.id || this.el.getAttribute("dj-id")}`);
    };
  return {
    mounted: entry("mounted"),
    beforeUpdate: entry("beforeUpdate"),
    updated: entry("updated"),
    destroyed: entry("destroyed"),
    disconnected: entry("disconnected"),
    reconnected: entry("reconnected"),
    ...extra,
  };
}

const PAGE = `<div dj-id="0" dj-view="app.views.Chart" dj-root=""><canvas dj-id="1" id="sales" dj-hook="Chart" data-n="1"></canvas><ul dj-id="2"><li dj-id="3">a</li></ul><p dj-id="4">x</p></div>`;

test("mounted() runs once the view's HTML is in place, with this.el and this.viewName", () => {
  const log = [];
  let seen;
  const { document } = boot(PAGE, {
    Chart: recorder(log, {
      mounted() {
        seen = this;
        log.push(`mounted:${this.el.id}`);
      },
    }),
  });
  assert.deepEqual(log, ["mounted:sales"]);
  assert.equal(seen.el, document.getElementById("sales"));
  assert.ok(seen.el.isConnected);
  assert.equal(seen.viewName, "app.views.Chart");
});

test("a patch that touches the element (or inside it) runs beforeUpdate() then updated(); others do not", () => {
  const log = [];
  let before;
  const { ws, document } = boot(PAGE, {
    Chart: recorder(log, {
      beforeUpdate() {
        before = this.el.getAttribute("data-n");
        log.push("beforeUpdate:sales");
      },
    }),
    List: recorder(log),
  });
  log.length = 0;
  ws.reply({ type: "patch", pv: 1, v: 2, patches: [{ op: "text", p: "4", i: 0, text: "y" }] });
  assert.deepEqual(log, [], "a patch elsewhere does not update the hook");
  ws.reply({ type: "patch", pv: 1, v: 3, patches: [{ op: "attrs", t: "1", set: [["data-n", "2"]] }] });
  assert.deepEqual(log, ["beforeUpdate:sales", "updated:sales"]);
  assert.equal(before, "1", "beforeUpdate() sees the element before the patch");
  assert.equal(document.getElementById("sales").getAttribute("data-n"), "2");
  // A change inside a hooked element counts: hook the list, patch its item.
  ws.reply({ type: "patch", pv: 1, v: 4, patches: [{ op: "attrs", t: "2", set: [["id", "list"], ["dj-hook", "List"]] }] });
  log.length = 0;
  ws.reply({ type: "patch", pv: 1, v: 5, patches: [{ op: "text", p: "3", i: 0, text: "b" }] });
  assert.deepEqual(log, ["beforeUpdate:list", "updated:list"]);
});

test("an element inserted by a patch is mounted; a removed one is destroyed and its handleEvent stops", () => {
  const log = [];
  const got = [];
  const { ws, view } = boot(PAGE, {
    Chart: recorder(log),
    Row: recorder(log, {
      mounted() {
        log.push(`mounted:${this.el.id}`);
        this.handleEvent("ping", (payload) => got.push(payload.n));
      },
    }),
  });
  ws.reply({
    type: "patch",
    pv: 1,
    v: 2,
    patches: [{ op: "insert", p: "2", i: 1, html: `<li dj-id="5" id="row5" dj-hook="Row">b</li>` }],
    events: [{ event: "ping", payload: { n: 1 } }],
  });
  assert.deepEqual(log, ["mounted:sales", "mounted:row5"]);
  assert.deepEqual(got, [1], "a hook mounted by a patch receives that reply's events");
  ws.reply({ type: "patch", pv: 1, v: 3, patches: [{ op: "remove", p: "2", i: 1 }] });
  assert.deepEqual(log.slice(2), ["destroyed:row5"]);
  ws.reply({ type: "patch", pv: 1, v: 4, patches: [], events: [{ event: "ping", payload: { n: 2 } }] });
  assert.deepEqual(got, [1], "a destroyed hook's handleEvent no longer fires");
  assert.equal(view.hooks.live.size, 1);
});

test("changing dj-hook destroys the old instance and starts the new one", () => {
  const log = [];
  const { ws } = boot(PAGE, { Chart: recorder(log), Pie: recorder(log) });
  ws.reply({ type: "patch", pv: 1, v: 2, patches: [{ op: "attrs", t: "1", set: [["dj-hook", "Pie"]] }] });
  assert.deepEqual(log, ["mounted:sales", "beforeUpdate:sales", "destroyed:sales", "mounted:sales"]);
});

test("this.pushEvent sends an event to the view and resolves with its reply", async () => {
  let hook;
  const { ws } = boot(PAGE, {
    Chart: {
      mounted() {
        hook = this;
      },
    },
  });
  const reply = hook.pushEvent("zoom", { level: 2 });
  const sent = ws.sent.at(-1);
  assert.deepEqual(sent, { type: "event", name: "zoom", params: { level: 2 }, ref: sent.ref });
  ws.reply({ type: "patch", pv: 1, v: 2, patches: [], ref: sent.ref });
  assert.deepEqual(await reply, { type: "patch", pv: 1, v: 2, patches: [], ref: sent.ref });
  // An error reply resolves too; a closed socket resolves with code "disconnected".
  const failed = hook.pushEvent("nope");
  ws.reply({ type: "error", code: "invalid", message: "no handler", ref: ws.sent.at(-1).ref });
  assert.equal((await failed).code, "invalid");
  const cut = hook.pushEvent("zoom", { level: 3 });
  ws.close();
  assert.equal((await cut).code, "disconnected");
});

test("pushed events reach handleEvent callbacks in order, then bubble as djust:push_event to window", () => {
  const order = [];
  const { window, view, ws } = boot(PAGE, {});
  const stop = view.handleEvent("saved", (p) => order.push(`view:${p.id}`));
  window.addEventListener("djust:push_event", (e) => order.push(`window:${e.detail.event}:${e.detail.payload.id}`));
  window.document.addEventListener("djust:push_event", (e) => order.push(`document:${e.detail.event}`));
  ws.reply({
    type: "patch",
    pv: 1,
    v: 2,
    patches: [{ op: "text", p: "4", i: 0, text: "saved" }],
    events: [
      { event: "saved", payload: { id: 7 } },
      { event: "other", payload: { id: 8 } },
    ],
  });
  assert.deepEqual(order, ["view:7", "document:saved", "window:saved:7", "document:other", "window:other:8"]);
  stop();
  ws.reply({ type: "patch", pv: 1, v: 3, patches: [], events: [{ event: "saved", payload: { id: 9 } }] });
  assert.deepEqual(order.slice(5), ["document:saved", "window:saved:9"]);
});

test("events on the mounted reply are dispatched after the HTML is in place", () => {
  const seen = [];
  const window = new Window({ url: "http://shop.test/chart/" });
  window.document.body.innerHTML = `<div dj-view="app.views.Chart" dj-root dj-session="t:1"></div>`;
  window.addEventListener("djust:push_event", (e) =>
    seen.push([e.detail.event, window.document.getElementById("sales") !== null]),
  );
  const { FakeSocket, sockets } = socketClass();
  start(window.document, { WebSocket: FakeSocket });
  sockets[0].open();
  sockets[0].reply({ type: "mounted", html: PAGE, v: 1, events: [{ event: "welcome", payload: {} }] });
  assert.deepEqual(seen, [["welcome", true]]);
});

test("a throwing hook or callback is logged and the rest still runs", () => {
  const log = [];
  const errors = [];
  const original = console.error;
  console.error = (...args) => errors.push(args[0]);
  try {
    const { ws, view } = boot(
      PAGE.replace(`<p dj-id="4">x</p>`, `<p dj-id="4" id="p" dj-hook="Good">x</p>`),
      {
        Chart: {
          mounted() {
            throw new Error("broken chart");
          },
        },
        Good: recorder(log),
      },
    );
    view.handleEvent("e", () => {
      throw new Error("broken callback");
    });
    view.handleEvent("e", () => log.push("second callback"));
    ws.reply({ type: "patch", pv: 1, v: 2, patches: [{ op: "text", p: "4", i: 0, text: "y" }], events: [{ event: "e", payload: {} }] });
    assert.deepEqual(log, ["mounted:p", "beforeUpdate:p", "updated:p", "second callback"]);
  } finally {
    console.error = original;
  }
  assert.equal(errors.length, 2);
  assert.match(errors[0], /hook Chart\.mounted\(\) threw/);
  assert.match(errors[1], /handleEvent\("e"\) callback threw/);
});

test("disconnected() on a closed socket; after the re-mount, reconnected() on the same instance and element id", async () => {
  const log = [];
  const instances = [];
  const { ws, sockets, document } = boot(PAGE, {
    Chart: recorder(log, {
      mounted() {
        instances.push(this);
        log.push("mounted:sales");
      },
    }),
  });
  ws.close();
  assert.deepEqual(log, ["mounted:sales", "disconnected:sales"]);
  await sleep(150); // the first retry is after 100 ms
  const again = sockets[1];
  again.open();
  // The new session's render numbers ids afresh; the hook follows its element's id.
  again.reply({ type: "mounted", html: PAGE.replace(`dj-id="1"`, `dj-id="9"`), v: 1 });
  assert.deepEqual(log, ["mounted:sales", "disconnected:sales", "reconnected:sales"]);
  assert.equal(instances.length, 1);
  assert.equal(instances[0].el, document.getElementById("sales"));
  assert.equal(instances[0].el.getAttribute("dj-id"), "9");
});

test("a re-mount without a counterpart destroys the hook; unregistered names only warn", async () => {
  const log = [];
  const warnings = [];
  const original = console.warn;
  console.warn = (...args) => warnings.push(args.join(" "));
  try {
    const { ws } = boot(PAGE.replace(`<p dj-id="4">x</p>`, `<p dj-id="4" dj-hook="Missing">x</p>`), {
      Chart: recorder(log),
    });
    // A version gap re-mounts over the same socket: not a reconnect.
    ws.reply({ type: "patch", pv: 1, v: 7, patches: [] });
    ws.reply({ type: "mounted", html: PAGE.replace(` id="sales" dj-hook="Chart"`, ""), v: 1 });
    assert.deepEqual(log, ["mounted:sales", "destroyed:sales"]);
  } finally {
    console.warn = original;
  }
  assert.ok(warnings.some((w) => w.includes(`no hook named "Missing"`)));
});

test("window.djust.hooks wins over window.DjustHooks; other names come from either", () => {
  const window = new Window();
  window.djust = { hooks: { A: { v: "own" } } };
  window.DjustHooks = { A: { v: "compat" }, B: { v: "compat" } };
  assert.equal(definition(window, "A").v, "own");
  assert.equal(definition(window, "B").v, "compat");
  assert.equal(definition(window, "toString"), undefined);
  const log = [];
  boot(PAGE, { Chart: recorder(log) }, { own: true });
  assert.deepEqual(log, ["mounted:sales"]);
});
