// Live navigation in the client (src/client.js) on happy-dom with a scripted WebSocket:
// dj-patch and dj-navigate links, the history (push, replace, back/forward), the route
// map, and what is left to the browser (modifier keys, targets, other sites)
// (issue 21, point 1). The server side is python/tests/test_navigation.py; Chromium
// runs both on the example's catalog.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Window } from "happy-dom";
import { socketClass } from "./fake-socket.mjs";
import { start } from "../src/client.js";


const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const LIST = `<main dj-id="0" dj-view="shop.views.List" dj-root=""><p dj-id="1">page 1</p><a dj-id="2" href="/shop/?page=2" dj-patch>next</a><a dj-id="3" href="/shop/7/" dj-navigate>item 7</a><a dj-id="4" href="/about/" dj-navigate>about</a><a dj-id="5" href="https://elsewhere.test/" dj-navigate>away</a></main>`;
const ITEM = `<main dj-id="0" dj-view="shop.views.Item" dj-root=""><h1 dj-id="1">Item 7</h1></main>`;
const ROUTES = ["^/shop/$", "^/shop/(?<pk>[0-9]+)/$"];

function boot() {
  const window = new Window({ url: "http://shop.test/shop/" });
  const document = window.document;
  document.body.innerHTML = `<nav>menu</nav><main dj-view="shop.views.List" dj-root dj-session="page-token"></main>`;
  const assigned = [];
  window.location.assign = (url) => assigned.push(url);
  const { FakeSocket, sockets } = socketClass();
  const views = start(document, { WebSocket: FakeSocket });
  const ws = sockets[0];
  ws.open();
  ws.reply({ type: "mounted", html: LIST, v: 1, routes: ROUTES });
  return { window, document, view: views[0], ws, assigned };
}

const click = (window, el, init = {}) =>
  el.dispatchEvent(new window.MouseEvent("click", { bubbles: true, cancelable: true, ...init }));

test("a dj-patch link asks the server; the patch reply's url goes into the history", () => {
  const { window, document, ws } = boot();
  const length = window.history.length;
  const link = document.querySelector("[dj-patch]");
  const notPrevented = click(window, link);
  assert.equal(notPrevented, false, "the page load is prevented");
  const sent = ws.sent.at(-1);
  assert.deepEqual(sent, { type: "navigate", url: "/shop/?page=2", mode: "patch", ref: sent.ref });
  assert.equal(window.location.pathname + window.location.search, "/shop/", "nothing moves before the reply");
  ws.reply({
    type: "patch",
    pv: 1,
    v: 2,
    ref: sent.ref,
    url: "/shop/?page=2",
    replace: false,
    patches: [{ op: "text", p: "1", i: 0, text: "page 2" }],
  });
  assert.equal(window.location.href, "http://shop.test/shop/?page=2");
  assert.equal(window.history.length, length + 1);
  assert.equal(document.querySelector("p").textContent, "page 2");
});

test("a dj-navigate link mounts the other LiveView over the same socket with the issued token", () => {
  const { window, document, ws, view } = boot();
  click(window, document.querySelector('[href="/shop/7/"]'));
  const sent = ws.sent.at(-1);
  assert.deepEqual(sent, { type: "navigate", url: "/shop/7/", mode: "navigate", ref: sent.ref });
  ws.reply({ type: "navigate", url: "/shop/7/", replace: false, session: "item-token", ref: sent.ref });
  assert.equal(window.location.pathname, "/shop/7/");
  assert.deepEqual(ws.sent.at(-1), { type: "mount", url: "/shop/7/", session: "item-token" });
  ws.reply({ type: "mounted", html: ITEM, v: 1, routes: ROUTES });
  assert.equal(view.root.getAttribute("dj-view"), "shop.views.Item");
  assert.equal(document.querySelector("h1").textContent, "Item 7");
  assert.equal(document.querySelector("nav").textContent, "menu", "the rest of the page stays");
  // A reconnect mounts with the new view's token.
  assert.equal(view.session, "item-token");
});

test("back and forward ask the server for the URL the browser shows, without a new history entry", async () => {
  const { window, document, ws, view } = boot();
  click(window, document.querySelector("[dj-patch]"));
  ws.reply({ type: "patch", pv: 1, v: 2, ref: ws.sent.at(-1).ref, url: "/shop/?page=2", replace: false, patches: [] });
  click(window, document.querySelector('[href="/shop/7/"]'));
  ws.reply({ type: "navigate", url: "/shop/7/", replace: false, session: "item-token", ref: ws.sent.at(-1).ref });
  ws.reply({ type: "mounted", html: ITEM, v: 1, routes: ROUTES });
  const length = window.history.length;

  window.history.back();
  await sleep(20);
  const back = ws.sent.at(-1);
  assert.deepEqual(back, { type: "navigate", url: "/shop/?page=2", mode: "patch", ref: back.ref });
  // The server says it is another LiveView: mount it, and leave the history alone.
  ws.reply({ type: "navigate", url: "/shop/?page=2", replace: false, session: "list-token", ref: back.ref });
  assert.deepEqual(ws.sent.at(-1), { type: "mount", url: "/shop/?page=2", session: "list-token" });
  ws.reply({ type: "mounted", html: LIST, v: 1, routes: ROUTES });
  assert.equal(window.history.length, length);
  assert.equal(window.location.href, "http://shop.test/shop/?page=2");

  window.history.back();
  await sleep(20);
  const again = ws.sent.at(-1);
  assert.equal(again.url, "/shop/");
  ws.reply({ type: "patch", pv: 1, v: 2, ref: again.ref, url: "/shop/", replace: false, patches: [] });
  assert.equal(window.history.length, length, "a popped patch adds no entry");
  assert.equal(view.root.getAttribute("dj-view"), "shop.views.List");
});

test("a server-side live_patch with replace, and a mount that patched, replace the entry", () => {
  const { window, ws } = boot();
  const length = window.history.length;
  ws.reply({ type: "patch", pv: 1, v: 2, url: "/shop/?sort=price", replace: true, patches: [] });
  assert.equal(window.location.href, "http://shop.test/shop/?sort=price");
  assert.equal(window.history.length, length);
  ws.reply({ type: "navigate", url: "/shop/7/", replace: false, session: "t" });
  ws.reply({ type: "mounted", html: ITEM, v: 1, url: "/shop/7/?tab=specs", replace: true });
  assert.equal(window.location.href, "http://shop.test/shop/7/?tab=specs");
  assert.equal(window.history.length, length + 1);
});

test("links outside the route map or on another site load as pages; a redirect reply too", () => {
  const { window, document, ws, assigned } = boot();
  const before = ws.sent.length;
  click(window, document.querySelector('[href="/about/"]'));
  click(window, document.querySelector('[href="https://elsewhere.test/"]'));
  assert.deepEqual(assigned, ["http://shop.test/about/", "https://elsewhere.test/"]);
  assert.equal(ws.sent.length, before, "no message for them");
});

test("modifier keys, other buttons and targets are left to the browser", () => {
  const { window, document, ws } = boot();
  const link = document.querySelector("[dj-patch]");
  const before = ws.sent.length;
  for (const init of [{ ctrlKey: true }, { metaKey: true }, { shiftKey: true }, { button: 1 }]) {
    assert.equal(click(window, link, init), true, JSON.stringify(init));
  }
  link.setAttribute("target", "_blank");
  assert.equal(click(window, link), true);
  assert.equal(ws.sent.length, before);
});

test("a redirect reply to a navigation loads the page", () => {
  const { window, document, ws, assigned } = boot();
  click(window, document.querySelector('[href="/shop/7/"]'));
  ws.reply({ type: "redirect", url: "/shop/7/", ref: ws.sent.at(-1).ref });
  assert.deepEqual(assigned, ["/shop/7/"]);
});
