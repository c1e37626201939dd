// The smaller directives of issue 21 (point 7) on happy-dom with a scripted WebSocket:
// dj-model.trim and .debounce-N, dj-debounce on clicks and submits, dj-loading.remove,
// dj-optimistic (applied at once, undone by the reply, rolled back on error),
// dj-transition (presets and explicit classes, leave deferred without breaking the
// patch indexes), and fields cleared by the reply to their own event even when focused.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Window } from "happy-dom";
import { start } from "../src/client.js";
import { socketClass } from "./fake-socket.mjs";
import { applyPatches } from "../src/patch.js";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function boot(html) {
  const window = new Window({ url: "http://shop.test/page/" });
  const document = window.document;
  document.body.innerHTML = `<div dj-view="v" dj-root dj-session="t"></div>`;
  const { FakeSocket, sockets } = socketClass();
  const views = start(document, { WebSocket: FakeSocket });
  const ws = sockets[0];
  ws.open();
  const reply = (msg) => ws.reply(msg);
  reply({ type: "mounted", html, v: 1 });
  return { window, document, view: views[0], ws, reply };
}

const type = (window, el, value) => {
  el.value = value;
  el.dispatchEvent(new window.Event("input", { bubbles: true }));
};

test("dj-model.trim sends the trimmed value; .debounce-N waits N ms for the last one", async () => {
  const { window, document, ws } = boot(
    `<div dj-id="0" dj-view="v" dj-root=""><input dj-id="1" id="a" dj-model.trim="title"><input dj-id="2" id="b" dj-model.trim.debounce-60="query"></div>`,
  );
  type(window, document.getElementById("a"), "  Hello  ");
  assert.deepEqual(ws.sent.at(-1), { type: "model", field: "title", value: "Hello", ref: ws.sent.at(-1).ref });
  const before = ws.sent.length;
  const b = document.getElementById("b");
  type(window, b, "c");
  type(window, b, "ca");
  type(window, b, " cat ");
  assert.equal(ws.sent.length, before, "nothing yet");
  await sleep(120);
  assert.equal(ws.sent.length, before + 1);
  assert.deepEqual(ws.sent.at(-1).value, "cat");
  assert.equal(ws.sent.at(-1).field, "query");
});

test("dj-debounce applies to clicks and submits too", async () => {
  const { window, document, ws } = boot(
    `<div dj-id="0" dj-view="v" dj-root=""><button dj-id="1" dj-click="save" dj-debounce="50">s</button><form dj-id="2" dj-submit="send" dj-debounce="50"><input dj-id="3" name="m" value="x"></form></div>`,
  );
  const before = ws.sent.length;
  const button = document.querySelector("button");
  button.click();
  button.click();
  button.click();
  const form = document.querySelector("form");
  form.dispatchEvent(new window.SubmitEvent("submit", { bubbles: true, cancelable: true }));
  form.dispatchEvent(new window.SubmitEvent("submit", { bubbles: true, cancelable: true }));
  assert.equal(ws.sent.length, before);
  await sleep(100);
  assert.deepEqual(
    ws.sent.slice(before).map((m) => m.name),
    ["save", "send"],
  );
});

test("dj-loading.remove hides the element while the event is in flight", () => {
  const { document, ws, reply } = boot(
    `<div dj-id="0" dj-view="v" dj-root=""><button dj-id="1" dj-click="save">s</button><p dj-id="2" dj-loading-for="save" dj-loading.remove>ready</p></div>`,
  );
  const p = document.querySelector("p");
  document.querySelector("button").click();
  assert.equal(p.hidden, true);
  reply({ type: "patch", pv: 1, v: 2, patches: [], ref: ws.sent.at(-1).ref });
  assert.equal(p.hidden, false);
});

const LIKE = `<div dj-id="0" dj-view="v" dj-root=""><button dj-id="1" dj-click="like" aria-pressed="false" dj-optimistic="aria-pressed:!aria-pressed, class:liked">♥</button><span dj-id="2">0</span></div>`;

test("dj-optimistic applies at once; the reply's patches then set what the server rendered", () => {
  const { document, ws, reply } = boot(LIKE);
  const button = document.querySelector("button");
  button.click();
  assert.equal(button.getAttribute("aria-pressed"), "true", "at once");
  assert.equal(button.classList.contains("liked"), true);
  // The server agrees: its patch sets the attribute and the class for real.
  reply({
    type: "patch",
    pv: 1,
    v: 2,
    ref: ws.sent.at(-1).ref,
    patches: [
      { op: "attrs", t: "1", set: [["aria-pressed", "true"], ["class", "liked"]] },
      { op: "text", p: "2", i: 0, text: "1" },
    ],
  });
  assert.equal(button.getAttribute("aria-pressed"), "true");
  assert.equal(button.classList.contains("liked"), true);
});

test("dj-optimistic is rolled back on an error, and when the server decides otherwise", () => {
  const { document, ws, reply } = boot(LIKE);
  const button = document.querySelector("button");
  button.click();
  const original = console.error;
  console.error = () => {};
  try {
    reply({ type: "error", code: "server_error", message: "no", ref: ws.sent.at(-1).ref });
  } finally {
    console.error = original;
  }
  assert.equal(button.getAttribute("aria-pressed"), "false");
  assert.equal(button.classList.contains("liked"), false);
  // A reply with no patches (the server kept the state): the optimistic change goes.
  button.click();
  reply({ type: "patch", pv: 1, v: 2, ref: ws.sent.at(-1).ref, patches: [] });
  assert.equal(button.getAttribute("aria-pressed"), "false");
  assert.equal(button.classList.contains("liked"), false);
});

test("the reply to a field's own event clears it even while focused; other replies do not touch it", () => {
  const { window, document, ws, reply } = boot(
    `<div dj-id="0" dj-view="v" dj-root=""><input dj-id="1" dj-model="message" value="" dj-keydown.enter="send"><p dj-id="2">x</p></div>`,
  );
  const input = document.querySelector("input");
  input.focus();
  type(window, input, "hello");
  // A reply to the model update puts value="hello" (what the server now holds).
  reply({ type: "patch", pv: 1, v: 2, ref: ws.sent.at(-1).ref, patches: [{ op: "attrs", t: "1", set: [["value", "hello"]] }] });
  input.value = "hello!"; // still typing
  // Another element's reply setting the value does not overwrite what is being typed.
  reply({ type: "patch", pv: 1, v: 3, patches: [{ op: "attrs", t: "1", set: [["value", "hello"]] }] });
  assert.equal(input.value, "hello!");
  input.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
  const sent = ws.sent.at(-1);
  assert.equal(sent.name, "send");
  reply({ type: "patch", pv: 1, v: 4, ref: sent.ref, patches: [{ op: "attrs", t: "1", set: [["value", ""]] }] });
  assert.equal(input.value, "", "the handler reset the state: the field is cleared");
  assert.equal(document.activeElement, input);
});

test("dj-transition presets: enter classes on insert; leave classes, then removal, without shifting indexes", async () => {
  const { document, reply } = boot(
    `<div dj-id="0" dj-view="v" dj-root=""><ul dj-id="1"><li dj-id="2" dj-transition="fade">a</li><li dj-id="3">b</li></ul></div>`,
  );
  reply({
    type: "patch",
    pv: 1,
    v: 2,
    patches: [{ op: "insert", p: "1", i: 2, html: `<li dj-id="4" dj-transition="slide-up" dj-transition-duration="30">c</li>` }],
  });
  const c = document.querySelector('[dj-id="4"]');
  assert.equal(c.classList.contains("slide-up-enter-from"), true);
  assert.ok(document.getElementById("djust-transitions"), "the preset CSS is in the page");
  await sleep(20);
  assert.equal(c.classList.contains("slide-up-enter-to"), true);
  assert.equal(c.classList.contains("slide-up-enter-from"), false);
  await sleep(60);
  assert.equal(c.className, "");
  // Remove "a" (index 0), then replace the text of the child now at index 0 ("b"):
  // the leaving element is not counted.
  reply({
    type: "patch",
    pv: 1,
    v: 3,
    patches: [
      { op: "remove", p: "1", i: 0 },
      { op: "text", p: "3", i: 0, text: "B" },
      { op: "insert", p: "1", i: 2, html: `<li dj-id="5">d</li>` },
    ],
  });
  const a = document.querySelector('[dj-id="2"]');
  assert.ok(a.isConnected && a.hasAttribute("dj-leaving"));
  assert.equal(a.classList.contains("fade-leave-from"), true);
  assert.deepEqual(
    [...document.querySelectorAll("li")].map((li) => li.textContent),
    ["a", "B", "c", "d"],
  );
  await sleep(500); // the 400 ms default, with no transitionend in happy-dom
  assert.equal(a.isConnected, false);
  assert.deepEqual(
    [...document.querySelectorAll("li")].map((li) => li.textContent),
    ["B", "c", "d"],
  );
});

test("dj-transition explicit classes; no transition means an immediate removal", async () => {
  const window = new Window();
  const document = window.document;
  document.body.innerHTML = `<div dj-id="0"><p dj-id="1" dj-transition-leave="o-100" dj-transition-leave-to="o-0" dj-transition-duration="20">x</p><p dj-id="2">y</p></div>`;
  const root = document.body.firstChild;
  const { leaving } = await import("../src/transitions.js");
  applyPatches(root, { v: 1, patches: [{ op: "remove", p: "0", i: 0 }] }, { onRemove: leaving });
  const x = document.querySelector('[dj-id="1"]');
  assert.equal(x.classList.contains("o-100"), true);
  await sleep(40);
  assert.equal(x.isConnected, false);
  applyPatches(root, { v: 1, patches: [{ op: "remove", p: "0", i: 0 }] }, { onRemove: leaving });
  assert.equal(document.querySelector('[dj-id="2"]'), null, "removed at once");
});

test("dj-target=\"#id\" sends the element id with the event; other selectors send none", () => {
  const { document, ws } = boot(
    `<div dj-id="0" dj-view="v" dj-root=""><button dj-id="1" id="a" dj-click="add" dj-target="#results">a</button><button dj-id="2" id="b" dj-click="add" dj-target=".results">b</button><ul dj-id="3" id="results"></ul></div>`,
  );
  document.getElementById("a").click();
  assert.equal(ws.sent.at(-1).target, "results");
  document.getElementById("b").click();
  assert.equal(ws.sent.at(-1).target, undefined, "only #id targets are scoped");
});
