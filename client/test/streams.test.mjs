// Stream messages (src/streams.js) through the client on happy-dom: start, text (as
// text), insert (append, prepend), delete (id, selector), done; items are invisible to
// patches, so the server's own children of a stream container are still patched by
// index (issue 21, point 4). The server side is python/tests/test_streaming.py.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Window } from "happy-dom";
import { start } from "../src/client.js";
import { socketClass } from "./fake-socket.mjs";

function boot(html) {
  const window = new Window({ url: "http://shop.test/chat/" });
  const document = window.document;
  document.body.innerHTML = `<div dj-view="v" dj-root dj-session="t"></div>`;
  const { FakeSocket, sockets } = socketClass();
  start(document, { WebSocket: FakeSocket });
  const ws = sockets[0];
  ws.open();
  const reply = (msg) => ws.reply(msg);
  reply({ type: "mounted", html, v: 1 });
  return { window, document, reply };
}

const PAGE = `<main dj-id="0" dj-view="v" dj-root=""><ul dj-id="1" dj-stream="feed"><li dj-id="2">server</li></ul><p dj-id="3" dj-stream="answer"></p></main>`;

test("text streams as text into one item; start clears and marks the container; done unmarks it", () => {
  const { document, reply } = boot(PAGE);
  const answer = document.querySelector('[dj-stream="answer"]');
  reply({ type: "stream", ops: [{ op: "start", name: "answer" }, { op: "text", name: "answer", text: "Hello <b>" }] });
  reply({ type: "stream", ops: [{ op: "text", name: "answer", text: "world" }] });
  assert.equal(answer.hasAttribute("data-stream-active"), true);
  assert.equal(answer.children.length, 1);
  assert.equal(answer.textContent, "Hello <b>world");
  assert.equal(answer.querySelector("b"), null, "text is never parsed");
  reply({ type: "stream", ops: [{ op: "done", name: "answer" }] });
  assert.equal(answer.hasAttribute("data-stream-active"), false);
  reply({ type: "stream", ops: [{ op: "start", name: "answer" }] });
  assert.equal(answer.textContent, "", "a new stream starts empty");
});

test("insert appends and prepends items; delete removes them by id or selector; server children stay", () => {
  const { document, reply } = boot(PAGE);
  const feed = document.querySelector('[dj-stream="feed"]');
  reply({
    type: "stream",
    ops: [
      { op: "insert", name: "feed", html: `<li id="m1" class="x">one</li>`, at: "append" },
      { op: "insert", name: "feed", html: `<li id="m0">zero</li> loose text`, at: "prepend" },
    ],
  });
  assert.deepEqual(
    [...feed.children].map((li) => li.textContent),
    ["zero", " loose text", "server", "one"],
  );
  assert.ok([...feed.children].filter((c) => c.textContent !== "server").every((c) => c.hasAttribute("dj-stream-item")));
  reply({ type: "stream", ops: [{ op: "delete", name: "feed", id: "m0" }, { op: "delete", name: "feed", selector: "li.x" }] });
  assert.deepEqual(
    [...feed.children].map((li) => li.textContent),
    [" loose text", "server"],
  );
  reply({ type: "stream", ops: [{ op: "delete", name: "feed", selector: "[[bad" }] });
  assert.equal(feed.children.length, 2, "a bad selector deletes nothing");
});

test("patches do not count stream items: the server's children are patched by their own index", () => {
  const { document, reply } = boot(PAGE);
  reply({ type: "stream", ops: [{ op: "insert", name: "feed", html: `<li>streamed</li>`, at: "prepend" }] });
  reply({
    type: "patch",
    pv: 1,
    v: 2,
    patches: [
      { op: "text", p: "2", i: 0, text: "server!" },
      { op: "insert", p: "1", i: 1, html: `<li dj-id="4">second</li>` },
    ],
  });
  assert.deepEqual(
    [...document.querySelectorAll('[dj-stream="feed"] li')].map((li) => li.textContent),
    ["streamed", "server!", "second"],
  );
});

test("a target selector picks the container; a missing container is skipped with a warning", () => {
  const { document, reply } = boot(PAGE);
  const warnings = [];
  const original = console.warn;
  console.warn = (m) => warnings.push(m);
  try {
    reply({
      type: "stream",
      ops: [
        { op: "text", name: "x", target: "#nowhere", text: "lost" },
        { op: "text", name: "y", text: "lost" },
        { op: "text", name: "z", target: "p", text: "found" },
      ],
    });
  } finally {
    console.warn = original;
  }
  assert.equal(document.querySelector("p").textContent, "found");
  assert.equal(warnings.length, 2);
});
