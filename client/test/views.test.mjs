// Several LiveViews on one page share one WebSocket (issue 21, point 9): each mounts
// with its own token and `view_id` (none for the first), events carry it, replies are
// routed by it, an event goes to the innermost view, and a reconnect mounts them all.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Window } from "happy-dom";
import { socketClass } from "./fake-socket.mjs";
import { start } from "../src/client.js";

function boot() {
  const window = new Window({ url: "http://shop.test/counter/" });
  window.document.body.innerHTML =
    `<main dj-view="core.views.CounterView" dj-root dj-session="page"><p>0</p></main>` +
    `<aside dj-view="core.views.ClockView" dj-root dj-session="embedded"><p>clock</p></aside>`;
  const { FakeSocket, sockets } = socketClass();
  const views = start(window.document, { WebSocket: FakeSocket });
  return { window, document: window.document, views, sockets };
}

const MAIN = `<main dj-id="0" dj-view="core.views.CounterView" dj-root=""><p dj-id="1">0</p><button dj-id="2" dj-click="increment">+</button></main>`;
const CLOCK = `<aside dj-id="0" dj-view="core.views.ClockView" dj-root=""><p dj-id="1">12:00</p><button dj-id="2" dj-click="tick">tick</button></aside>`;

test("two views, one socket: mounts carry their tokens and view ids; replies go to their view", () => {
  const { document, views, sockets } = boot();
  assert.equal(sockets.length, 1, "one WebSocket for the page");
  const ws = sockets[0];
  ws.open();
  assert.deepEqual(ws.sent, [
    { type: "mount", url: "/counter/", session: "page" },
    { type: "mount", url: "/counter/", session: "embedded", view_id: "v1" },
  ]);
  ws.reply({ type: "mounted", html: MAIN, v: 1 });
  ws.reply({ type: "mounted", html: CLOCK, v: 1, view_id: "v1" });
  assert.equal(views[0].root.tagName, "MAIN");
  assert.equal(views[1].root.tagName, "ASIDE");
  // The same dj-ids in both roots: each view patches its own.
  document.querySelector("aside button").click();
  const tick = ws.sent.at(-1);
  assert.equal(tick.view_id, "v1");
  assert.equal(tick.name, "tick");
  ws.reply({ type: "patch", pv: 1, v: 2, ref: tick.ref, view_id: "v1", patches: [{ op: "text", p: "1", i: 0, text: "12:01" }] });
  assert.equal(document.querySelector("aside p").textContent, "12:01");
  assert.equal(document.querySelector("main p").textContent, "0");
  document.querySelector("main button").click();
  const inc = ws.sent.at(-1);
  assert.equal(inc.view_id, undefined);
  ws.reply({ type: "patch", pv: 1, v: 2, ref: inc.ref, patches: [{ op: "text", p: "1", i: 0, text: "1" }] });
  assert.equal(document.querySelector("main p").textContent, "1");
  assert.equal(document.querySelector("aside p").textContent, "12:01");
  assert.equal(views[1].pending.size, 0);
});

test("a closed socket disconnects every view and one reconnect mounts them all", async () => {
  const { views, sockets } = boot();
  sockets[0].open();
  sockets[0].reply({ type: "mounted", html: MAIN, v: 1 });
  sockets[0].reply({ type: "mounted", html: CLOCK, v: 1, view_id: "v1" });
  sockets[0].close();
  assert.deepEqual(
    views.map((v) => v.root.getAttribute("dj-connection")),
    ["closed", "closed"],
  );
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(sockets.length, 2, "one new socket, not one per view");
  sockets[1].open();
  assert.deepEqual(
    sockets[1].sent.map((m) => [m.type, m.view_id]),
    [
      ["mount", undefined],
      ["mount", "v1"],
    ],
  );
});
