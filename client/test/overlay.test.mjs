// The error overlay (src/overlay.js) through the client on happy-dom: shown for an error
// reply that carries a traceback (a server with DEBUG), with the failed event and its
// params; dismissed with Escape or its button; never shown without a traceback; and
// the server's text is never parsed as HTML (issue 21, point 8). In Chromium: the
// example's catalog with a handler that raises.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Window } from "happy-dom";
import { start } from "../src/client.js";
import { socketClass } from "./fake-socket.mjs";

function boot() {
  const window = new Window({ url: "http://shop.test/counter/" });
  const document = window.document;
  document.body.innerHTML = `<div dj-view="app.views.Counter" dj-root dj-session="t"></div>`;
  const { FakeSocket, sockets } = socketClass();
  const views = start(document, { WebSocket: FakeSocket });
  const ws = sockets[0];
  ws.open();
  const reply = (msg) => ws.reply(msg);
  return { window, document, view: views[0], ws, reply };
}

const MOUNTED = `<div dj-id="0" dj-view="app.views.Counter" dj-root=""><button dj-id="1" dj-click="inc" data-step="2">+</button></div>`;

function quiet(fn) {
  const original = console.error;
  console.error = () => {};
  try {
    return fn();
  } finally {
    console.error = original;
  }
}

test("an error with a traceback opens the overlay with the event and its params; Escape closes it", () => {
  const { window, document, ws, reply } = boot();
  reply({ type: "mounted", html: MOUNTED, v: 1 });
  document.querySelector("button").click();
  const sent = ws.sent.at(-1);
  quiet(() =>
    reply({
      type: "error",
      code: "server_error",
      message: "division by zero",
      traceback: 'Traceback (most recent call last):\n  File "views.py", line 9, in inc\nZeroDivisionError: division by zero\n',
      ref: sent.ref,
    }),
  );
  const box = document.getElementById("djust-error-overlay");
  assert.ok(box, "the overlay is shown");
  assert.equal(box.getAttribute("role"), "alertdialog");
  assert.match(box.textContent, /djust: server_error/);
  assert.match(box.textContent, /division by zero/);
  assert.match(box.textContent, /event "inc" \{"step":"2"\}/);
  assert.match(box.querySelector("pre").textContent, /ZeroDivisionError/);
  assert.equal(document.activeElement, box.querySelector("button"));
  document.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
  assert.equal(document.getElementById("djust-error-overlay"), null);
});

test("the close button closes it; a second error replaces it; a failed mount names the URL", () => {
  const { document, reply } = boot();
  quiet(() => reply({ type: "error", code: "server_error", message: "mount failed", traceback: "Traceback: A" }));
  assert.match(document.getElementById("djust-error-overlay").textContent, /mount \{"url":"\/counter\/"\}/);
  reply({ type: "mounted", html: MOUNTED, v: 1 });
  quiet(() => reply({ type: "error", code: "server_error", message: "second", traceback: "Traceback: B" }));
  const boxes = document.querySelectorAll("#djust-error-overlay");
  assert.equal(boxes.length, 1);
  assert.match(boxes[0].textContent, /second/);
  boxes[0].querySelector("button").click();
  assert.equal(document.getElementById("djust-error-overlay"), null);
});

test("without a traceback (no DEBUG) nothing is shown; the error still reaches djust:error", () => {
  const { document, reply } = boot();
  reply({ type: "mounted", html: MOUNTED, v: 1 });
  const seen = [];
  document.addEventListener("djust:error", (e) => seen.push(e.detail.message));
  quiet(() => reply({ type: "error", code: "server_error", message: "The server could not handle this event." }));
  assert.equal(document.getElementById("djust-error-overlay"), null);
  assert.deepEqual(seen, ["The server could not handle this event."]);
});

test("the server's text is shown as text, never parsed as HTML", () => {
  const { document, reply } = boot();
  reply({ type: "mounted", html: MOUNTED, v: 1 });
  quiet(() =>
    reply({ type: "error", code: "server_error", message: "<img src=x onerror=alert(1)>", traceback: "<script>x()</script>" }),
  );
  const box = document.getElementById("djust-error-overlay");
  assert.equal(box.querySelector("img"), null);
  assert.equal(box.querySelector("script"), null);
  assert.match(box.textContent, /<img src=x onerror=alert\(1\)>/);
});
