// The example project in a real browser: `python examples/manage.py demo` (Daphne,
// Channels' in-memory layer, SQLite) driven in Debian's Chromium with Playwright.
// Each test loads a page, waits for the LiveView to mount over the WebSocket, acts
// like a user (click, type, submit) and asserts that the DOM changed through patches
// — the same element updated in place — while the one WebSocket stayed open.
//
// Environment: DJUST_PYTHON (default python3) must have django, channels, daphne and
// djust installed; CHROMIUM (default /usr/bin/chromium).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { freePort, waitForServer } from "./support.mjs";

const EXAMPLES = fileURLToPath(new URL("../../examples/", import.meta.url));
const PYTHON = process.env.DJUST_PYTHON || "python3";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

let server;
let serverLog = "";
let base;
let browser;
let dbDir;

before(async () => {
  dbDir = mkdtempSync(join(tmpdir(), "djust-browser-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(PYTHON, ["manage.py", "demo", `127.0.0.1:${port}`], {
    cwd: EXAMPLES,
    env: { ...process.env, DJUST_EXAMPLE_DB: join(dbDir, "demo.sqlite3"), PYTHONUNBUFFERED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout.on("data", (d) => (serverLog += d));
  server.stderr.on("data", (d) => (serverLog += d));
  await waitForServer(`${base}/`, 60_000, server, () => serverLog);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // The cross-site test's "attacker" page is served on loopback under this name.
      "--host-resolver-rules=MAP attacker.example 127.0.0.1",
    ],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server && server.exitCode === null) server.kill("SIGTERM");
  if (dbDir) rmSync(dbDir, { recursive: true, force: true });
});

/**
 * Open `path` and wait until its LiveView is mounted. Returns the page and a record of
 * the WebSocket traffic: `sockets`, `received` and `sent` (decoded messages), and
 * `errors` (page errors and console errors).
 */
async function openLive(path) {
  const page = await browser.newPage();
  const traffic = { sockets: [], received: [], sent: [], errors: [] };
  page.on("websocket", (ws) => {
    traffic.sockets.push(ws);
    ws.on("framereceived", (f) => traffic.received.push(JSON.parse(f.payload)));
    // Binary frames are upload chunks: counted, not decoded.
    ws.on("framesent", (f) => traffic.sent.push(typeof f.payload === "string" ? JSON.parse(f.payload) : { binary: f.payload.length }));
  });
  page.on("pageerror", (e) => traffic.errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") traffic.errors.push(m.text());
  });
  const response = await page.goto(`${base}${path}`);
  assert.equal(response.status(), 200, `GET ${path}`);
  await page.waitForSelector('[dj-view][dj-connection="open"]', { timeout: 10_000 });
  return { page, traffic };
}

/** The patch replies received so far. */
const patches = (traffic) => traffic.received.filter((m) => m.type === "patch");

function assertStillConnected(traffic) {
  assert.equal(traffic.sockets.length, 1, "one WebSocket for the page's life");
  assert.equal(traffic.sockets[0].isClosed(), false, "the WebSocket stayed open");
  assert.deepEqual(traffic.errors, [], "no page or console errors");
  assert.deepEqual(
    traffic.received.filter((m) => m.type === "error"),
    [],
    "no error replies from the server",
  );
}

test("counter: clicks are patched into the same element", async () => {
  const { page, traffic } = await openLive("/counter/");
  const mounted = traffic.received.find((m) => m.type === "mounted");
  assert.ok(mounted && mounted.html.includes("dj-id="), "mount replied with the root's HTML and ids");
  // Mark the live element: a patch updates it in place, a re-render would lose the mark.
  await page.evaluate(() => (document.querySelector("output").djustMark = "kept"));

  const plus = page.getByRole("button", { name: "+" });
  for (let i = 0; i < 3; i++) await plus.click();
  await page.waitForFunction(() => document.querySelector("output").textContent.trim() === "3");
  await page.getByRole("button", { name: "−" }).click();
  await page.waitForFunction(() => document.querySelector("output").textContent.trim() === "2");

  // Step 5 (dj-input with dj-debounce), then + → 7.
  await page.locator('input[type="number"]').fill("5");
  await page.waitForFunction(() => window.djust.views[0].pending.size === 0);
  await page.waitForTimeout(400); // the 200 ms debounce
  await plus.click();
  await page.waitForFunction(() => document.querySelector("output").textContent.trim() === "7");

  assert.equal(await page.evaluate(() => document.querySelector("output").djustMark), "kept");
  const ops = patches(traffic).flatMap((m) => m.patches.map((p) => p.op));
  assert.ok(ops.length >= 5 && ops.every((op) => op === "text" || op === "attrs"), `small patches: ${ops}`);
  assert.ok(patches(traffic).length >= 5);
  assertStillConnected(traffic);
  await page.close();
});

test("counter: a dj-hook highlights each patched value; push_event shows milestones (issue 21)", async () => {
  const { page, traffic } = await openLive("/counter/");
  // Both hooks of core/static/js/hooks.js started on the mounted HTML.
  assert.deepEqual(
    await page.evaluate(() => [...window.djust.views[0].hooks.live.values()].map((h) => h.el.id).sort()),
    ["count", "milestones"],
  );
  await page.evaluate(() => {
    window.pushed = [];
    window.addEventListener("djust:push_event", (e) => window.pushed.push(e.detail));
  });
  const plus = page.getByRole("button", { name: "+" });
  await plus.click();
  await page.waitForFunction(() => document.querySelector("output").textContent.trim() === "1");
  // updated(): the Pulse hook classed the element the patch changed.
  assert.equal(await page.evaluate(() => document.getElementById("count").classList.contains("pulse")), true);
  assert.equal(await page.locator("#milestones").textContent(), "");

  await page.locator('input[type="number"]').fill("9");
  await page.waitForTimeout(400); // the 200 ms debounce
  await page.waitForFunction(() => window.djust.views[0].pending.size === 0);
  await plus.click();
  await page.waitForFunction(() => document.querySelector("output").textContent.trim() === "10");
  // The server's push_event("milestone", {count: 10}) rode on that patch reply, reached
  // the Milestones hook's handleEvent, and bubbled to window as djust:push_event.
  await page.waitForFunction(() => document.getElementById("milestones").textContent === "Milestone: 10!");
  const withEvents = patches(traffic).filter((m) => m.events);
  assert.deepEqual(
    withEvents.map((m) => m.events),
    [[{ event: "milestone", payload: { count: 10 } }]],
  );
  assert.deepEqual(await page.evaluate(() => window.pushed), [{ event: "milestone", payload: { count: 10 } }]);
  // dj-update="ignore": the next patch leaves the hook's text alone.
  await plus.click();
  await page.waitForFunction(() => document.querySelector("output").textContent.trim() === "19");
  assert.equal(await page.locator("#milestones").textContent(), "Milestone: 10!");
  assertStillConnected(traffic);
  await page.close();
});

test("product: a @background handler keeps its button loading until the work's patch arrives (issue 21)", async () => {
  const { page, traffic } = await openLive("/catalog/1/");
  const button = page.getByRole("button", { name: "Delivery estimate" });
  const asking = page.getByText("Asking the carrier…");
  assert.equal(await asking.isVisible(), false);
  await button.click();
  // The event's reply (sent at once) lists the task; the loading state holds.
  await page.waitForFunction(() => window.djust.views[0].pending.size === 0);
  const reply = patches(traffic).find((m) => m.pending);
  assert.deepEqual(reply && reply.pending, ["estimate_delivery"]);
  assert.equal(await button.isDisabled(), true);
  assert.equal(await asking.isVisible(), true);
  assert.equal(await page.locator("#delivery").count(), 0);
  // The task's own patch (about 0.8 s later, unrequested) ends it.
  await page.waitForSelector("#delivery", { timeout: 10_000 });
  assert.equal(await page.locator("#delivery").textContent(), "Ships in 2 days");
  const done = patches(traffic).find((m) => m.done);
  assert.deepEqual(done.done, ["estimate_delivery"]);
  assert.equal(done.ref, undefined);
  assert.equal(await button.isDisabled(), false);
  assert.equal(await asking.isVisible(), false);
  assertStillConnected(traffic);
  await page.close();
});

test("counter page: two LiveViews (the counter and an embedded clock) share one WebSocket (issue 21)", async () => {
  const { page, traffic } = await openLive("/counter/");
  await page.waitForFunction(() => window.djust.views.length === 2 && window.djust.views.every((v) => v.root.getAttribute("dj-connection") === "open"));
  const mounts = traffic.sent.filter((m) => m.type === "mount");
  assert.deepEqual(
    mounts.map((m) => m.view_id),
    [undefined, "v1"],
  );
  assert.notEqual(mounts[0].session, mounts[1].session, "each view has its own token");
  const mounted = traffic.received.filter((m) => m.type === "mounted");
  assert.deepEqual(
    mounted.map((m) => m.view_id),
    [undefined, "v1"],
  );
  // The clock's select: its patch names the clock's view and changes only the clock.
  await page.getByLabel("Time zone").selectOption("Europe/Oslo");
  await page.waitForFunction(() => window.djust.views[1].pending.size === 0);
  const clockPatch = patches(traffic).find((m) => m.view_id === "v1");
  assert.ok(clockPatch, "a patch for the clock");
  await page.getByRole("button", { name: "+" }).click();
  await page.waitForFunction(() => document.querySelector("output").textContent.trim() === "1");
  assert.equal(await page.locator(".side-clock select").inputValue(), "Europe/Oslo");
  assertStillConnected(traffic);
  await page.close();
});

test("catalog: typing searches the ORM, patching only the results (dj-target); filters and sorting patch the table", async () => {
  const { page, traffic } = await openLive("/catalog/");
  const rows = () => page.locator("tbody tr").count();
  assert.equal(await rows(), 18);
  const firstRow = page.locator("tbody tr").first();
  await firstRow.evaluate((tr) => (tr.djustMark = "kept"));

  await page.locator('input[type="search"]').pressSequentially("cleat", { delay: 30 });
  await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 2);
  const names = await page.locator("tbody tr td:first-child a").allTextContents();
  assert.deepEqual(names, ["Bronze cleat, 8in", "Stainless cleat, 6in"]);
  const searches = traffic.sent.filter((m) => m.name === "search");
  assert.ok(searches.length >= 1 && searches.length <= 2, `debounced: ${searches.length} search events for 5 keys`);
  assert.equal(searches.at(-1).params.value, "cleat");
  // dj-target="#results": the search replies patch only inside the results section.
  assert.ok(searches.every((m) => m.target === "results"));
  const refs = new Set(searches.map((m) => m.ref));
  const scoped = traffic.received.filter((m) => refs.has(m.ref)).flatMap((m) => m.patches || []);
  assert.ok(scoped.length > 0);
  const outside = await page.evaluate(
    (ids) => ids.filter((id) => !document.querySelector(`#results [dj-id="${id}"], #results[dj-id="${id}"]`)),
    scoped.map((p) => p.t || p.p),
  );
  assert.deepEqual(outside, [], "no patch outside #results");

  await page.locator('input[type="search"]').fill("");
  await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 18);
  await page.getByLabel("In stock only").check();
  await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 15);
  assert.equal(await page.locator(".sold-out").count(), 0);

  await page.getByRole("button", { name: "Price" }).click();
  await page.waitForFunction(() => document.querySelector("tbody tr td:nth-child(2)").textContent.trim() === "$2.10");
  await page.getByRole("button", { name: "Price" }).click();
  await page.waitForFunction(() => document.querySelector("tbody tr td:nth-child(2)").textContent.trim() === "$189.00");
  assert.match(await page.locator("p.count").textContent(), /15 products/);

  // Keyed rows: the sorts moved rows (reorder/move), they were not all re-created.
  const ops = new Set(patches(traffic).flatMap((m) => m.patches.map((p) => p.op)));
  assert.ok(ops.has("reorder") || ops.has("move"), `ops: ${[...ops]}`);
  assertStillConnected(traffic);
  await page.close();
});

test("catalog: filters live-patch the URL; dj-navigate and back/forward move between LiveViews on one socket (issue 21)", async () => {
  const { page, traffic } = await openLive("/catalog/");
  // A page load would lose this mark.
  await page.evaluate(() => (window.djustMark = "same page"));
  const rows = () => page.locator("tbody tr").count();

  await page.getByLabel("Category").selectOption("safety");
  await page.waitForURL("**/catalog/?category=safety");
  await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 4);
  await page.getByRole("button", { name: "Price" }).click();
  await page.waitForURL("**/catalog/?category=safety&sort=price");
  assert.equal(await page.locator("tbody tr td:nth-child(2)").first().textContent(), "$34.95");

  // A product link: the detail LiveView mounts over the same socket.
  await page.getByRole("link", { name: "Flare kit" }).click();
  await page.waitForSelector('[dj-view="catalog.views.ProductDetailView"][dj-connection="open"]');
  assert.match(page.url(), /\/catalog\/\d+\/$/);
  assert.equal(await page.locator("h1").textContent(), "Flare kit");
  const navigate = traffic.received.find((m) => m.type === "navigate");
  assert.ok(navigate && navigate.session, "the server issued the next view's token");
  assert.ok(traffic.sent.some((m) => m.type === "mount" && m.session === navigate.session));

  // Back: the list again, as the URL says (handle_params), still without a page load.
  await page.goBack();
  await page.waitForSelector('[dj-view="catalog.views.ProductListView"][dj-connection="open"]');
  await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 4);
  assert.equal(await page.locator("tbody tr td:nth-child(2)").first().textContent(), "$34.95");
  // Back again: the same LiveView, only the query changes (a patch, not a mount).
  const mounts = traffic.sent.filter((m) => m.type === "mount").length;
  await page.goBack();
  await page.waitForURL("**/catalog/?category=safety");
  await page.waitForFunction(
    () => document.querySelector("tbody tr td:first-child a").textContent === "First-aid kit, offshore",
  );
  await page.goBack();
  await page.waitForURL((u) => u.pathname === "/catalog/" && u.search === "");
  await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 18);
  assert.equal(traffic.sent.filter((m) => m.type === "mount").length, mounts, "patches, not mounts");
  // Forward twice: back on the product, mounted again over the same socket.
  await page.goForward();
  await page.goForward();
  await page.waitForURL("**/catalog/?category=safety&sort=price");
  await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 4);

  assert.equal(await page.evaluate(() => window.djustMark), "same page");
  assertStillConnected(traffic);
  await page.close();
});

test("with DEBUG a handler's exception opens the error overlay; Escape closes it (issue 21)", async () => {
  const { page, traffic } = await openLive("/catalog/1/");
  // A quantity that is not a number: the example's set_quantity raises ValueError.
  await page.evaluate(() => window.djust.views[0].pushEvent("set_quantity", { value: "abc" }));
  const overlay = page.locator("#djust-error-overlay");
  await overlay.waitFor({ timeout: 10_000 });
  const text = await overlay.textContent();
  assert.match(text, /djust: server_error/);
  assert.match(text, /event "set_quantity" \{"value":"abc"\}/);
  assert.match(text, /Traceback \(most recent call last\)/);
  assert.match(text, /ValueError: invalid literal for int\(\)/);
  await page.keyboard.press("Escape");
  await overlay.waitFor({ state: "detached" });
  // The page and the socket carry on.
  await page.locator('input[type="number"]').fill("3");
  await page.locator('input[type="number"]').dispatchEvent("change");
  await page.waitForFunction(() => window.djust.views[0].pending.size === 0);
  assert.equal(await page.locator('input[type="number"]').inputValue(), "3");
  assert.ok(patches(traffic).length >= 1);
  assert.equal(traffic.sockets.length, 1);
  assert.equal(traffic.sockets[0].isClosed(), false);
  await page.close();
});

test("product: dj-optimistic flips the save button at once and rolls back when the shop refuses; the flash fades in and out (issue 21)", async () => {
  const { page, traffic } = await openLive("/catalog/2/");
  const save = page.getByRole("button", { name: "Save for later" });
  assert.equal(await save.getAttribute("aria-pressed"), "false");
  // Record the button's attribute from the click until the reply is applied.
  await page.evaluate(() => {
    window.pressed = [];
    const b = document.querySelector(".save");
    new MutationObserver(() => window.pressed.push(b.getAttribute("aria-pressed"))).observe(b, { attributes: true });
  });
  await save.click();
  await page.waitForFunction(() => window.djust.views[0].pending.size === 0);
  // Flipped at once, then back: an anonymous visitor may not save (the server's reply).
  const seen = await page.evaluate(() => window.pressed);
  assert.equal(seen[0], "true", `optimistic first: ${seen}`);
  assert.equal(seen.at(-1), "false");
  assert.equal(await save.getAttribute("aria-pressed"), "false");
  // The refusal is a flash message, inserted by the patch with the fade preset.
  const flash = page.locator(".flash");
  await flash.waitFor();
  assert.match(await flash.textContent(), /Sign in to save products for later/);
  assert.ok(await page.evaluate(() => document.getElementById("djust-transitions") !== null));
  // Dismissed: it leaves with fade-leave-to, then the element goes.
  await page.getByRole("button", { name: "Dismiss" }).click();
  await page.waitForFunction(() => {
    const f = document.querySelector(".flash");
    return f && f.hasAttribute("dj-leaving") && f.classList.contains("fade-leave-to");
  });
  await flash.waitFor({ state: "detached" });
  const ops = patches(traffic).flatMap((m) => m.patches.map((p) => p.op));
  assert.ok(ops.includes("insert") && ops.includes("remove"), `${ops}`);
  assertStillConnected(traffic);
  await page.close();
});

test("signup: a validated form shows errors as you type and on submit, then redirects", async () => {
  const { page, traffic } = await openLive("/accounts/signup/");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForFunction(() => document.querySelectorAll(".field .error").length === 3);
  assert.deepEqual(await page.locator(".field .error").allTextContents(), [
    "This field is required.",
    "This field is required.",
    "This field is required.",
  ]);

  await page.getByLabel("Username").fill("sailor");
  await page.getByLabel("Email").fill("not-an-email");
  await page.waitForFunction(() => document.querySelector("#id_email").closest(".field").textContent.includes("Enter a valid email address."));
  await page.waitForFunction(() => !document.querySelector("#id_username").closest(".field").classList.contains("has-error"));
  // The field being typed in kept its value and focus through the patches.
  assert.equal(await page.locator("#id_email").inputValue(), "not-an-email");
  assert.equal(await page.evaluate(() => document.activeElement.id), "id_email");

  await page.getByLabel("Email").fill("sailor@example.com");
  await page.getByLabel("Password").fill("long enough password");
  await page.waitForFunction(() => window.djust.views[0].pending.size === 0);
  await page.waitForTimeout(400); // the fields' 300 ms debounce
  assertStillConnected(traffic);
  await Promise.all([page.waitForURL("**/accounts/login/"), page.getByRole("button", { name: "Sign up" }).click()]);
  assert.ok(traffic.received.some((m) => m.type === "redirect" && m.url === "/accounts/login/"));
  await page.close();

  // The account exists: the same username is now taken.
  const again = await openLive("/accounts/signup/");
  await again.page.getByLabel("Username").fill("SAILOR");
  await again.page.waitForFunction(() => document.querySelector(".field").textContent.includes("That username is taken."));
  await again.page.close();
});

test("chat: the view's own messages show, not the context processor's (issue 16, item 10)", async () => {
  const { page, traffic } = await openLive("/support/chat/");
  const input = page.getByLabel("Message");
  await input.fill("Do you ship to Norway?");
  await page.getByRole("button", { name: "Send" }).click();
  await page.waitForFunction(() => document.querySelectorAll("#chat-log li").length === 1);
  assert.equal((await page.locator("#chat-log li").textContent()).trim(), "you Do you ship to Norway?");
  await input.fill("And to Iceland?");
  await page.getByRole("button", { name: "Send" }).click();
  await page.waitForFunction(() => document.querySelectorAll("#chat-log li").length === 2);
  assertStillConnected(traffic);
  await page.close();
});

test("assistant: an async handler streams its answer token by token, then the final render replaces it (issue 21)", async () => {
  const { page, traffic } = await openLive("/support/assistant/");
  // Watch the streamed bubble grow, as the user sees it.
  await page.evaluate(() => {
    window.grew = [];
    new MutationObserver(() => {
      const s = document.querySelector('[dj-stream="answer"]');
      if (s) window.grew.push(s.textContent.length);
    }).observe(document.querySelector("#assistant-log"), { childList: true, subtree: true, characterData: true });
  });
  await page.getByLabel("Question").fill("Do you ship to Norway?");
  await page.getByRole("button", { name: "Ask" }).click();
  // The question and the (empty, then growing) answer bubble show while it streams.
  await page.waitForSelector('[dj-stream="answer"][data-stream-active]');
  await page.waitForFunction(() => document.querySelectorAll("#assistant-log li.assistant").length === 1 && !document.querySelector(".streaming"));
  const answer = await page.locator("#assistant-log li.assistant").textContent();
  assert.match(answer, /We ship to most of Europe and North America\./);
  const grew = await page.evaluate(() => window.grew);
  assert.ok(new Set(grew).size >= 5, `the answer grew in steps: ${grew}`);
  const streams = traffic.received.filter((m) => m.type === "stream");
  const tokens = streams.flatMap((m) => m.ops).filter((op) => op.op === "text");
  assert.ok(streams.length >= 3, `several stream messages: ${streams.length}`);
  assert.ok(tokens.some((op) => op.text.split(" ").length > 2), "tokens of one frame are merged into one op");
  const reply = traffic.received.findLast((m) => m.ref !== undefined);
  assert.equal(reply.type, "patch");
  assert.ok(traffic.received.indexOf(reply) > traffic.received.indexOf(streams.at(-1)), "the reply comes last");
  assertStillConnected(traffic);
  await page.close();
});

test("returns: photos upload over the socket in chunks with progress; a refused file is never sent (issue 21)", async () => {
  const { page, traffic } = await openLive("/support/returns/");
  const photo = Buffer.alloc(300_000, 7); // 5 chunks of 64,000 bytes
  await page.evaluate(() => {
    window.progress = [];
    document.addEventListener("djust:upload-progress", (e) => window.progress.push(e.detail.received));
  });
  await page.getByLabel("Photos of the item").setInputFiles([
    { name: "scratch.png", mimeType: "image/png", buffer: photo },
    { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not a photo") },
  ]);
  await page.waitForFunction(() => window.progress.at(-1) === 300000);
  assert.deepEqual(await page.evaluate(() => window.progress), [64000, 128000, 192000, 256000, 300000]);
  await page.waitForFunction(() => document.querySelector(".uploads progress").value === 100);
  assert.match(await page.locator(".uploads").textContent(), /notes\.txt.*not an accepted type/s);
  const start = traffic.received.find((m) => m.upload && m.upload.accepted);
  assert.deepEqual(start.upload.accepted, ["0"], "the text file was refused before anything was sent");
  const progressPatches = traffic.received.filter((m) => m.upload && m.upload.received !== undefined);
  assert.deepEqual(
    progressPatches.map((m) => m.upload.received),
    [64000, 128000, 192000, 256000, 300000],
  );
  assert.equal(traffic.sent.filter((m) => m.binary).length, 5, "five binary chunk frames");
  await page.getByLabel("Order number").fill("HS-1042");
  await page.getByRole("button", { name: "Send the request" }).click();
  await page.waitForSelector(".received");
  assert.match(await page.locator(".received").textContent(), /order HS-1042 received, with 1 photo/);
  assert.match(await page.locator(".returns ul").textContent(), /scratch\.png \(300000 bytes\)/);
  assertStillConnected(traffic);
  await page.close();
});

test("the page's socket carries the page's token; a page on another origin is refused", async () => {
  const { page, traffic } = await openLive("/counter/");
  const mount = traffic.sent.find((m) => m.type === "mount");
  assert.match(mount.session, /^[\w-]+:[\w-]+:[\w-]+$/, "the mount sends the dj-session token");
  await page.close();

  // A page at http://attacker.example:<port> (a second server on loopback; the name
  // maps to 127.0.0.1 in this browser only, so nothing leaves the machine) opens a
  // socket to the shop, as a cross-site WebSocket hijack would, with the shop's
  // cookies in the browser. The handshake reaches the server and is refused.
  const evilServer = createHttpServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<!doctype html><title>elsewhere</title>");
  });
  await new Promise((resolve) => evilServer.listen(0, "127.0.0.1", resolve));
  const evil = await browser.newPage();
  await evil.goto(`http://attacker.example:${evilServer.address().port}/`);
  const before = (serverLog.match(/HANDSHAKING/g) || []).length;
  const outcome = await evil.evaluate(
    (url) =>
      new Promise((resolve) => {
        const ws = new WebSocket(url);
        ws.onopen = () => resolve("open");
        ws.onerror = () => resolve("refused");
      }),
    `${base.replace("http:", "ws:")}/ws/djust/`,
  );
  assert.equal(outcome, "refused");
  assert.equal((serverLog.match(/HANDSHAKING/g) || []).length, before + 1, "the handshake reached the server");
  assert.match(serverLog, /WebSocket REJECT \/ws\/djust\//);
  await evil.close();
  await new Promise((resolve) => evilServer.close(resolve));
});
