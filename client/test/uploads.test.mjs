// dj-upload (src/uploads.js) through the client on happy-dom: the files are announced,
// then the accepted ones go in binary frames of the server's chunk size, one at a time,
// each after the previous one's reply; refused files are not sent; an error stops the
// upload (issue 21, point 6). The server side is python/tests/test_uploads.py.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Window } from "happy-dom";
import { start } from "../src/client.js";
import { socketClass } from "./fake-socket.mjs";
import { chunkFrame } from "../src/uploads.js";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function boot() {
  const window = new Window({ url: "http://shop.test/returns/" });
  window.document.body.innerHTML = `<div dj-view="v" dj-root dj-session="t"></div>`;
  const { FakeSocket, sockets } = socketClass({ binary: decode });
  const [view] = start(window.document, { WebSocket: FakeSocket });
  const ws = sockets[0];
  ws.open();
  const reply = (msg) => ws.reply(msg);
  reply({
    type: "mounted",
    html: `<div dj-id="0" dj-view="v" dj-root=""><input dj-id="1" type="file" dj-upload="photos" multiple><p dj-id="2">0%</p></div>`,
    v: 1,
  });
  return { window, document: window.document, view, ws, reply };
}

/** A binary frame back into {header, text}. */
function decode(buffer) {
  const bytes = new Uint8Array(buffer);
  const size = (bytes[0] << 8) | bytes[1];
  const header = JSON.parse(new TextDecoder().decode(bytes.slice(2, 2 + size)));
  return { header, text: new TextDecoder().decode(bytes.slice(2 + size)) };
}

function choose(window, input, files) {
  Object.defineProperty(input, "files", { value: files, configurable: true });
  input.dispatchEvent(new window.Event("change", { bubbles: true }));
}

test("chosen files are announced, then the accepted ones sent in chunks after each reply", async () => {
  const { window, document, ws, reply } = boot();
  const progress = [];
  document.addEventListener("djust:upload-progress", (e) => progress.push(e.detail.received));
  const input = document.querySelector("input");
  choose(window, input, [
    new window.File(["0123456789abc"], "a.png", { type: "image/png" }),
    new window.File(["MZ"], "b.exe", { type: "application/octet-stream" }),
  ]);
  const start = ws.sent.at(-1);
  assert.deepEqual(start.entries, [
    { id: "0", name: "a.png", size: 13, type: "image/png" },
    { id: "1", name: "b.exe", size: 2, type: "application/octet-stream" },
  ]);
  assert.equal(start.type, "upload");
  assert.equal(start.name, "photos");
  reply({ type: "patch", pv: 1, v: 2, patches: [], ref: start.ref, upload: { name: "photos", accepted: ["0"], chunk: 5 } });
  const offsets = [];
  for (let i = 0; i < 3; i++) {
    await sleep(10);
    const chunk = ws.sent.at(-1);
    assert.equal(chunk.header.id, "0", "only the accepted file is sent");
    offsets.push([chunk.header.offset, chunk.text]);
    const sent = ws.sent.length;
    await sleep(10);
    assert.equal(ws.sent.length, sent, "the next chunk waits for this one's reply");
    reply({
      type: "patch",
      pv: 1,
      v: 3 + i,
      ref: chunk.header.ref,
      patches: [{ op: "text", p: "2", i: 0, text: `${Math.min(13, (i + 1) * 5) * 100 / 13 | 0}%` }],
      upload: { name: "photos", id: "0", received: Math.min(13, (i + 1) * 5) },
    });
  }
  await sleep(10);
  assert.deepEqual(offsets, [
    [0, "01234"],
    [5, "56789"],
    [10, "abc"],
  ]);
  assert.deepEqual(progress, [5, 10, 13]);
  assert.equal(document.querySelector("p").textContent, "100%");
});

test("an error reply to a chunk stops the upload", async () => {
  const { window, document, ws, reply } = boot();
  choose(window, document.querySelector("input"), [new window.File(["0123456789"], "a.png", { type: "image/png" })]);
  reply({ type: "patch", pv: 1, v: 2, patches: [], ref: ws.sent.at(-1).ref, upload: { name: "photos", accepted: ["0"], chunk: 4 } });
  await sleep(10);
  const first = ws.sent.at(-1);
  const original = console.error;
  console.error = () => {};
  try {
    reply({ type: "error", code: "invalid", message: "no", ref: first.header.ref });
  } finally {
    console.error = original;
  }
  await sleep(20);
  assert.equal(ws.sent.at(-1), first, "nothing more is sent");
});

test("the frame: a 2-byte header length, the JSON header, the bytes", () => {
  const frame = new Uint8Array(chunkFrame({ name: "p" }, new TextEncoder().encode("hi").buffer));
  assert.deepEqual([...frame.slice(0, 2)], [0, 12]);
  assert.equal(new TextDecoder().decode(frame.slice(2, 14)), '{"name":"p"}');
  assert.equal(new TextDecoder().decode(frame.slice(14)), "hi");
});
