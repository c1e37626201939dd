// Live cursors (issue 22, point 2): the pointer over a `dj-cursors` element goes out as
// `cursor` messages at most every 100 ms (fractions of the element's box), and other
// members' cursors are drawn outside the LiveView root, moved, and removed when they
// leave. The server side is python/tests/test_presence.py.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Window } from "happy-dom";
import { socketClass } from "./fake-socket.mjs";
import { start } from "../src/client.js";
import { CursorSender } from "../src/cursors.js";

const ROOM = `<main dj-view="app.views.Room" dj-root dj-session="tok"><div id="board" dj-cursors>board</div><p>x</p></main>`;
const ROOM_IDS = `<main dj-id="0" dj-view="app.views.Room" dj-root=""><div dj-id="1" id="board" dj-cursors="">board</div><p dj-id="2">x</p></main>`;

function boot() {
  const window = new Window({ url: "http://shop.test/room/" });
  const document = window.document;
  document.body.innerHTML = ROOM;
  const { FakeSocket, sockets } = socketClass();
  const [view] = start(document, { WebSocket: FakeSocket });
  sockets[0].open();
  sockets[0].reply({ type: "mounted", html: ROOM_IDS, v: 1 });
  const board = document.getElementById("board");
  board.getBoundingClientRect = () => ({ left: 100, top: 50, width: 200, height: 100, right: 300, bottom: 150 });
  return { window, document, view, ws: sockets[0], board };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test("pointer moves over dj-cursors go out as fractions, at most every 100 ms, the last one kept", async () => {
  const { window, view, ws, board } = boot();
  const move = (x, y) => board.dispatchEvent(new window.PointerEvent("pointermove", { bubbles: true, clientX: x, clientY: y }));
  move(200, 75);
  move(250, 100);
  move(300, 150);
  const cursors = () => ws.sent.filter((m) => m.type === "cursor");
  assert.deepEqual(cursors(), [{ type: "cursor", x: 0.5, y: 0.25 }]);
  await sleep(130);
  assert.deepEqual(cursors().at(-1), { type: "cursor", x: 1, y: 1 }, "the last position, after the interval");
  assert.equal(cursors().length, 2);
  // Outside the box: clamped to its edge; outside any dj-cursors: nothing.
  await sleep(110);
  move(0, 0);
  assert.deepEqual(cursors().at(-1), { type: "cursor", x: 0, y: 0 });
  window.document.querySelector("p").dispatchEvent(new window.PointerEvent("pointermove", { bubbles: true }));
  await sleep(110);
  assert.equal(cursors().length, 3);
  view.close();
});

test("other members' cursors are drawn outside the root, moved, labelled, and removed when gone", () => {
  const { document, view, ws } = boot();
  ws.reply({ type: "cursor", id: "c1|", x: 0.5, y: 0.5, meta: { name: "bob", color: "#c33" } });
  const layer = document.getElementById("djust-cursors");
  assert.ok(layer && !view.root.contains(layer), "outside the LiveView root");
  const el = layer.querySelector(".djust-cursor");
  assert.equal(el.textContent, "▲ bob");
  assert.equal(el.style.left, "200px");
  assert.equal(el.style.top, "100px");
  ws.reply({ type: "cursor", id: "c1|", x: 0, y: 1, meta: { name: "bob" } });
  assert.equal(layer.querySelectorAll(".djust-cursor").length, 1);
  assert.equal(el.style.left, "100px");
  assert.equal(el.style.top, "150px");
  // A name is text, never HTML.
  ws.reply({ type: "cursor", id: "c2|", x: 0.1, y: 0.1, meta: { name: "<img src=x onerror=alert(1)>" } });
  assert.equal(layer.querySelectorAll("img").length, 0);
  // The page's own patches do not see the layer.
  ws.reply({ type: "patch", v: 2, pv: 1, patches: [{ op: "text", p: "2", i: 0, text: "y" }] });
  assert.equal(document.querySelector("p").textContent, "y");
  ws.reply({ type: "cursor", id: "c1|", gone: true });
  assert.deepEqual([...layer.children].map((c) => c.dataset.cursorId), ["c2|"]);
  view.close();
});

test("a sender with nothing to send sends nothing", () => {
  const sent = [];
  const sender = new CursorSender((m) => sent.push(m));
  sender.flush();
  sender.move({ target: null });
  assert.deepEqual(sent, []);
});
