// The client (src/client.js) on happy-dom with a scripted WebSocket: the mount flow,
// every directive, params, debounce/throttle, loading states, confirm, patch errors
// and reconnect. The real server and a real browser are exercised by
// tests/browser (Chromium against the example project).

import { test } from "node:test";
import assert from "node:assert/strict";
import { Window } from "happy-dom";
import { socketClass } from "./fake-socket.mjs";
import { start, dataParams, backoff } from "../src/client.js";


const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function boot(body, mountedHtml, handlers) {
  const window = new Window({ url: "http://shop.test/counter/?q=1" });
  const document = window.document;
  document.body.innerHTML = body;
  const { FakeSocket, sockets } = socketClass();
  const views = start(document, { WebSocket: FakeSocket });
  const ws = sockets[0];
  ws.open();
  ws.reply({ type: "mounted", html: mountedHtml, v: 1, handlers, ref: undefined });
  return { window, document, views, view: views[0], ws, sockets };
}

const COUNTER = `<div dj-view="app.views.Counter" dj-root dj-session="tok.en:1"><p>0</p><button dj-click="inc" data-step:int="2" data-item-id="a7">+</button></div>`;
const COUNTER_IDS = `<div dj-id="0" dj-view="app.views.Counter" dj-root=""><p dj-id="1">0</p><button dj-id="2" dj-click="inc" data-step:int="2" data-item-id="a7">+</button></div>`;

test("connects to /ws/djust/ on the page's host, mounts the view and swaps in the ids", () => {
  const { document, ws, view } = boot(COUNTER, COUNTER_IDS);
  assert.equal(ws.url, "ws://shop.test/ws/djust/");
  assert.deepEqual(ws.sent[0], { type: "mount", url: "/counter/?q=1", session: "tok.en:1" });
  assert.equal(document.querySelector("p").getAttribute("dj-id"), "1");
  assert.equal(view.root.getAttribute("dj-connection"), "open");
});

test("the page's token survives the root swap and goes with every re-mount", () => {
  const { ws } = boot(COUNTER, COUNTER_IDS);
  ws.reply({ type: "patch", patches: [], pv: 1, v: 5 }); // a version gap re-mounts
  assert.deepEqual(ws.sent.at(-1), { type: "mount", url: "/counter/?q=1", session: "tok.en:1" });
});

test("a stale refusal of the mount reloads the page, at most once in 10 seconds", () => {
  const window = new Window({ url: "http://shop.test/counter/" });
  window.document.body.innerHTML = COUNTER;
  let reloads = 0;
  window.location.reload = () => reloads++;
  const { FakeSocket, sockets } = socketClass();
  start(window.document, { WebSocket: FakeSocket });
  sockets[0].open();
  sockets[0].reply({ type: "error", code: "stale", message: "the page's token has expired: reload the page" });
  assert.equal(reloads, 1);
  // A second stale answer right after (the reloaded page's token is stale too): no loop.
  const again = start(window.document, { WebSocket: FakeSocket });
  sockets.at(-1).open();
  sockets.at(-1).reply({ type: "error", code: "stale", message: "still stale" });
  assert.equal(reloads, 1);
  assert.equal(again.length, 1);
  // Other errors, and stale errors after the mount, do not reload.
  const { ws } = boot(COUNTER, COUNTER_IDS);
  ws.reply({ type: "error", code: "forbidden", message: "no" });
  ws.reply({ type: "error", code: "stale", message: "late" });
  assert.equal(reloads, 1);
});

test("dj-click sends the handler with data-* params, and the patch reply updates the DOM", () => {
  const { document, ws, view } = boot(COUNTER, COUNTER_IDS);
  document.querySelector("button").click();
  const event = ws.sent[1];
  assert.deepEqual(event, { type: "event", name: "inc", params: { step: 2, item_id: "a7" }, ref: 1 });
  assert.equal(view.root.getAttribute("aria-busy"), "true");
  ws.reply({ type: "patch", patches: [{ op: "text", p: "1", i: 0, text: "2" }], pv: 1, v: 2, ref: 1 });
  assert.equal(document.querySelector("p").textContent, "2");
  assert.equal(view.root.hasAttribute("aria-busy"), false);
});

test("a patch that does not fit, or a version gap, re-mounts", () => {
  const { ws } = boot(COUNTER, COUNTER_IDS);
  ws.reply({ type: "patch", patches: [{ op: "text", p: "zz", i: 0, text: "x" }], pv: 1, v: 2 });
  assert.equal(ws.sent.at(-1).type, "mount");
  ws.reply({ type: "mounted", html: COUNTER_IDS, v: 1 });
  ws.reply({ type: "patch", patches: [], pv: 1, v: 5 });
  assert.equal(ws.sent.at(-1).type, "mount");
});

const FORM = `<div dj-view="app.views.Form" dj-root="">
  <form dj-submit="save"><input name="email" value="a@b.c"><input type="checkbox" name="tags" value="x" checked><input type="checkbox" name="tags" value="y" checked>
  <button dj-loading.disable dj-loading.class="busy spin">Save</button></form>
  <input id="q" dj-input="search" dj-debounce="30" data-scope="all">
  <input id="m" dj-model="title"><input id="c" type="checkbox" dj-model="done"><input id="l" dj-model.lazy="note">
  <input id="k" dj-keydown.enter="go" dj-keyup="typed">
  <button id="del" dj-click="delete" dj-confirm="Really?" value="9" dj-loading.disable></button>
  <span id="spin" dj-loading-for="delete" dj-loading.show hidden>…</span>
  <input id="t" dj-input="tick" dj-throttle="40">
</div>`;

function formPage(handlers) {
  return boot(FORM, FORM, handlers);
}

test("dj-submit prevents the page load and sends the form's fields", () => {
  const { document, window, ws } = formPage();
  const form = document.querySelector("form");
  const ev = new window.SubmitEvent("submit", { bubbles: true, cancelable: true });
  form.dispatchEvent(ev);
  assert.equal(ev.defaultPrevented, true);
  assert.deepEqual(ws.sent.at(-1).params, { email: "a@b.c", tags: ["x", "y"] });
  assert.equal(ws.sent.at(-1).name, "save");
});

test("dj-loading disables and classes the trigger and shows dj-loading-for targets until the reply", () => {
  const { document, window, ws } = formPage();
  const save = document.querySelector("form button");
  document.querySelector("form").dispatchEvent(new window.SubmitEvent("submit", { bubbles: true, cancelable: true }));
  // The form is the trigger; its button is not disabled by the form's event.
  assert.equal(save.disabled, false);
  window.confirm = () => true;
  const del = document.getElementById("del");
  del.click();
  const spin = document.getElementById("spin");
  assert.equal(del.disabled, true);
  assert.equal(spin.hidden, false);
  const sent = ws.sent.at(-1);
  assert.deepEqual(sent.params, { value: "9" });
  ws.reply({ type: "patch", patches: [], pv: 1, v: 2, ref: sent.ref });
  assert.equal(del.disabled, false);
  assert.equal(spin.hidden, true);
});

test("background work: a reply with `pending` keeps the loading state until a message says the task is `done`", async () => {
  const { document, window, ws } = formPage();
  window.confirm = () => true;
  const del = document.getElementById("del");
  const spin = document.getElementById("spin");
  del.click();
  const first = ws.sent.at(-1);
  ws.reply({ type: "patch", patches: [], pv: 1, v: 2, ref: first.ref, pending: ["purge"] });
  assert.equal(del.disabled, true, "held while the task runs");
  assert.equal(spin.hidden, false);
  // Another task ending does not release it; the root stays busy.
  ws.reply({ type: "patch", patches: [], pv: 1, v: 3, done: ["other"] });
  assert.equal(del.disabled, true);
  assert.equal(document.querySelector("[dj-view]").getAttribute("aria-busy"), "true");
  ws.reply({ type: "patch", patches: [], pv: 1, v: 4, done: ["purge"] });
  assert.equal(del.disabled, false);
  assert.equal(spin.hidden, true);
  assert.equal(document.querySelector("[dj-view]").hasAttribute("aria-busy"), false);
  // Two tasks from one event: released when both are done; an error reply counts.
  del.click();
  ws.reply({ type: "patch", patches: [], pv: 1, v: 5, ref: ws.sent.at(-1).ref, pending: ["a", "b"] });
  ws.reply({ type: "error", code: "server_error", message: "x", done: ["a"] });
  assert.equal(del.disabled, true);
  ws.reply({ type: "patch", patches: [], pv: 1, v: 6, done: ["b"] });
  assert.equal(del.disabled, false);
  // A closed socket releases what tasks held.
  del.click();
  ws.reply({ type: "patch", patches: [], pv: 1, v: 7, ref: ws.sent.at(-1).ref, pending: ["slow"] });
  assert.equal(del.disabled, true);
  ws.close();
  assert.equal(del.disabled, false);
});

test("dj-loading.class adds only missing classes and removes them after an error reply", () => {
  const page = `<div dj-view="v" dj-root=""><button class="spin" dj-click="x" dj-loading.class="busy spin">b</button></div>`;
  const { document, ws } = boot(page, page);
  const b = document.querySelector("button");
  b.click();
  assert.deepEqual([...b.classList], ["spin", "busy"]);
  ws.reply({ type: "error", message: "boom", ref: ws.sent.at(-1).ref });
  assert.deepEqual([...b.classList], ["spin"]);
});

test("dj-confirm: nothing is sent when the user cancels", () => {
  const { document, window, ws } = formPage();
  window.confirm = () => false;
  const before = ws.sent.length;
  document.getElementById("del").click();
  assert.equal(ws.sent.length, before);
});

test("dj-debounce sends one event with the last value", async () => {
  const { document, window, ws } = formPage();
  const q = document.getElementById("q");
  for (const v of ["s", "sh", "sho"]) {
    q.value = v;
    q.dispatchEvent(new window.Event("input", { bubbles: true }));
  }
  const before = ws.sent.length;
  await sleep(60);
  assert.equal(ws.sent.length, before + 1);
  assert.deepEqual(ws.sent.at(-1), { type: "event", name: "search", params: { scope: "all", value: "sho" }, ref: 1 });
});

test("dj-throttle sends the first event at once and the last one after the interval", async () => {
  const { document, window, ws } = formPage();
  const t = document.getElementById("t");
  const before = ws.sent.length;
  for (const v of ["1", "2", "3"]) {
    t.value = v;
    t.dispatchEvent(new window.Event("input", { bubbles: true }));
  }
  assert.equal(ws.sent.length, before + 1);
  assert.equal(ws.sent.at(-1).params.value, "1");
  await sleep(80);
  assert.equal(ws.sent.length, before + 2);
  assert.equal(ws.sent.at(-1).params.value, "3");
});

test("the server's @debounce default applies when the element sets none", async () => {
  const page = `<div dj-view="v" dj-root=""><input dj-input="search"></div>`;
  const { document, window, ws } = boot(page, page, { search: { debounce: 20 } });
  const input = document.querySelector("input");
  input.value = "a";
  input.dispatchEvent(new window.Event("input", { bubbles: true }));
  input.value = "ab";
  input.dispatchEvent(new window.Event("input", { bubbles: true }));
  assert.equal(ws.sent.length, 1);
  await sleep(50);
  assert.equal(ws.sent.length, 2);
  assert.equal(ws.sent[1].params.value, "ab");
});

test("dj-model sends model updates: text on input, checkbox on change, .lazy on change", () => {
  const { document, window, ws } = formPage();
  const m = document.getElementById("m");
  m.value = "Hello";
  m.dispatchEvent(new window.Event("input", { bubbles: true }));
  assert.deepEqual(ws.sent.at(-1), { type: "model", field: "title", value: "Hello", ref: 1 });
  const c = document.getElementById("c");
  c.checked = true;
  c.dispatchEvent(new window.Event("input", { bubbles: true }));
  assert.equal(ws.sent.length, 2, "a checkbox does not send on input");
  c.dispatchEvent(new window.Event("change", { bubbles: true }));
  assert.deepEqual(ws.sent.at(-1), { type: "model", field: "done", value: true, ref: 2 });
  const l = document.getElementById("l");
  l.value = "n";
  l.dispatchEvent(new window.Event("input", { bubbles: true }));
  assert.equal(ws.sent.length, 3);
  l.dispatchEvent(new window.Event("change", { bubbles: true }));
  assert.deepEqual(ws.sent.at(-1), { type: "model", field: "note", value: "n", ref: 3 });
});

test("dj-keydown.enter fires only for Enter; dj-keyup fires for any key, with the key", () => {
  const { document, window, ws } = formPage();
  const k = document.getElementById("k");
  k.value = "v";
  k.dispatchEvent(new window.KeyboardEvent("keydown", { key: "a", bubbles: true }));
  assert.equal(ws.sent.length, 1);
  k.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
  assert.deepEqual(ws.sent.at(-1).params, { value: "v", key: "Enter" });
  assert.equal(ws.sent.at(-1).name, "go");
  k.dispatchEvent(new window.KeyboardEvent("keyup", { key: "x", bubbles: true }));
  assert.equal(ws.sent.at(-1).name, "typed");
});

test("events before the socket opens wait for the mount; a closed socket reconnects and re-mounts", async () => {
  const window = new Window({ url: "http://shop.test/counter/" });
  window.document.body.innerHTML = COUNTER;
  const { FakeSocket, sockets } = socketClass();
  const [view] = start(window.document, { WebSocket: FakeSocket });
  window.document.querySelector("button").click();
  assert.equal(sockets[0].sent.length, 0);
  sockets[0].open();
  sockets[0].reply({ type: "mounted", html: COUNTER_IDS, v: 1 });
  assert.deepEqual(
    sockets[0].sent.map((m) => m.type),
    ["mount", "event"],
  );
  sockets[0].close();
  assert.equal(view.root.getAttribute("dj-connection"), "closed");
  await sleep(150);
  assert.equal(sockets.length, 2, "reconnected");
  sockets[1].open();
  assert.equal(sockets[1].sent[0].type, "mount");
  sockets[1].reply({ type: "mounted", html: COUNTER_IDS, v: 1 });
  assert.equal(view.root.getAttribute("dj-connection"), "open");
  view.close();
});

test("a reconnect mounts with the last mounted reply's sid (restore); a live navigation forgets it", async () => {
  const window = new Window({ url: "http://shop.test/counter/" });
  window.document.body.innerHTML = COUNTER;
  const { FakeSocket, sockets } = socketClass();
  const [view] = start(window.document, { WebSocket: FakeSocket });
  sockets[0].open();
  assert.equal(sockets[0].sent[0].restore, undefined, "a first mount restores nothing");
  sockets[0].reply({ type: "mounted", html: COUNTER_IDS, v: 1, sid: "kept-state-key-0123456789" });
  sockets[0].close();
  await sleep(150);
  sockets[1].open();
  assert.deepEqual(sockets[1].sent[0], {
    type: "mount",
    url: "/counter/",
    session: "tok.en:1",
    restore: "kept-state-key-0123456789",
  });
  // The server restored it (or mounted afresh with a new sid): the next reconnect uses that one.
  sockets[1].reply({ type: "mounted", html: COUNTER_IDS, v: 1, sid: "second-key-0123456789abc", restored: true });
  // Another LiveView over the socket: its mount carries its token and no sid.
  sockets[1].reply({ type: "navigate", url: "/other/", replace: false, session: "tok.other:2" });
  const nav = sockets[1].sent.at(-1);
  assert.equal(nav.type, "mount");
  assert.equal(nav.session, "tok.other:2");
  assert.equal(nav.restore, undefined);
  view.close();
});

test("reconnects back off exponentially with jitter, up to 10 s; dj-offline shows while disconnected", async () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoff(n, () => 0.5)),
    [100, 200, 400, 800, 1600, 3200, 6400, 10000, 10000],
  );
  assert.equal(backoff(0, () => 0), 80);
  assert.equal(backoff(20, () => 1), 12000);
  const window = new Window({ url: "http://shop.test/counter/" });
  window.document.body.innerHTML = `<p dj-offline hidden>Offline: reconnecting…</p>${COUNTER}`;
  const { FakeSocket, sockets } = socketClass();
  start(window.document, { WebSocket: FakeSocket });
  const banner = window.document.querySelector("[dj-offline]");
  const html = window.document.documentElement;
  sockets[0].open();
  sockets[0].reply({ type: "mounted", html: COUNTER_IDS, v: 1 });
  assert.equal(banner.hidden, true);
  sockets[0].close();
  assert.equal(banner.hidden, false, "shown while the socket is down");
  assert.equal(html.classList.contains("dj-offline"), true);
  await sleep(150);
  sockets[1].close(); // the server is still down: the next wait doubles
  await sleep(100);
  assert.equal(sockets.length, 2, "the second retry waits about 200 ms");
  await sleep(200);
  assert.equal(sockets.length, 3);
  sockets[2].open();
  sockets[2].reply({ type: "mounted", html: COUNTER_IDS, v: 1 });
  assert.equal(banner.hidden, true, "hidden again once mounted");
  assert.equal(html.classList.contains("dj-offline"), false);
});

test("events outside a LiveView root are ignored", () => {
  const { document, ws } = boot(`${COUNTER}<button id="out" dj-click="inc">x</button>`, COUNTER_IDS);
  document.getElementById("out").click();
  assert.equal(ws.sent.length, 1);
});

test("data-* params convert :int, :float, :bool and :json", () => {
  const { document } = new Window();
  document.body.innerHTML = `<b data-a="x" data-n:int="7" data-f:float="1.5" data-ok:bool="true" data-j:json='{"k":[1]}' data-bad:json="{"></b>`;
  assert.deepEqual(dataParams(document.querySelector("b")), { a: "x", n: 7, f: 1.5, ok: true, j: { k: [1] }, bad: "{" });
});

test("a redirect reply loads the page it names and does not reconnect", () => {
  const { window, ws, view } = boot(COUNTER, COUNTER_IDS);
  const assigned = [];
  window.location.assign = (url) => assigned.push(url);
  ws.reply({ type: "redirect", url: "/accounts/login/" });
  assert.deepEqual(assigned, ["/accounts/login/"]);
  assert.equal(view.conn.closed, true, "the page's socket will not reconnect");
});

test("an event from inside a live component (dj-component) names the component", () => {
  const html = `<div dj-root dj-view="app.views.Shop" dj-session="t"><button dj-click="buy">Buy</button>
<section dj-component="cart"><button dj-click="remove" data-index:int="2">x</button></section></div>`;
  const { document, ws } = boot(html, html.replace("<button", '<button dj-id="1"'));
  document.querySelector("section button").click();
  assert.deepEqual(ws.sent.at(-1), { type: "event", name: "remove", params: { index: 2 }, component: "cart", ref: 1 });
  document.querySelector("button").click();
  assert.deepEqual(ws.sent.at(-1), { type: "event", name: "buy", params: {}, ref: 2 });
});
