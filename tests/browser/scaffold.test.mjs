// `djust new` in a real browser (issue 17): a project, an app, a view and a live
// component are generated into a temporary directory with the djust binary; the
// component is placed in the view's template as a user would; `manage.py runserver`
// (Daphne, the generated settings) serves it on 127.0.0.1; in Chromium a click on the
// view's button and one on the component's button each patch the page in place over
// the one WebSocket, and the component's click reaches the component, not the view.
//
// Environment: DJUST_BIN (default target/debug/djust), DJUST_PYTHON (default python3,
// with django, channels, daphne and djust), CHROMIUM (default /usr/bin/chromium).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { freePort, waitForServer } from "./support.mjs";

const DJUST = process.env.DJUST_BIN || fileURLToPath(new URL("../../target/debug/djust", import.meta.url));
const PYTHON = process.env.DJUST_PYTHON || "python3";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

let work;
let server;
let serverLog = "";
let base;
let browser;

before(async () => {
  work = mkdtempSync(join(tmpdir(), "djust-new-browser-"));
  const root = join(work, "mysite");
  const djust = (cwd, ...args) => execFileSync(DJUST, ["new", ...args], { cwd, encoding: "utf8" });
  djust(work, "project", "mysite");
  djust(root, "app", "shop", "--wire");
  djust(root, "view", "counter", "--app", "shop", "--wire", "count:int");
  djust(root, "component", "cart", "--app", "shop");
  // Put the component in the view's page, as its `djust new` output says.
  const template = join(root, "shop/templates/shop/counter.html");
  const html = readFileSync(template, "utf8");
  assert.ok(html.includes("  </main>"));
  writeFileSync(template, html.replace("  </main>", '    {% live_component "shop.components.cart.Cart" id="cart" %}\n  </main>'));

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(PYTHON, ["manage.py", "runserver", "--noreload", `127.0.0.1:${port}`], {
    cwd: root,
    env: { ...process.env, PYTHONUNBUFFERED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout.on("data", (d) => (serverLog += d));
  server.stderr.on("data", (d) => (serverLog += d));
  await waitForServer(`${base}/`, 60_000, server, () => serverLog);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server && server.exitCode === null) server.kill("SIGTERM");
  if (work) rmSync(work, { recursive: true, force: true });
});

test("the generated view and its component are patched by clicks", async () => {
  const page = await browser.newPage();
  const traffic = { sockets: [], received: [], sent: [], errors: [] };
  page.on("websocket", (ws) => {
    traffic.sockets.push(ws);
    ws.on("framereceived", (f) => traffic.received.push(JSON.parse(f.payload)));
    ws.on("framesent", (f) => traffic.sent.push(JSON.parse(f.payload)));
  });
  page.on("pageerror", (e) => traffic.errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && traffic.errors.push(m.text()));
  const response = await page.goto(`${base}/shop/counter/`);
  assert.equal(response.status(), 200);
  await page.waitForSelector('[dj-view][dj-connection="open"]', { timeout: 10_000 });

  // The view's button: its count becomes 1 in the same element.
  await page.evaluate(() => (document.querySelector("span.count").djustMark = "kept"));
  await page.getByRole("button", { name: "Add one" }).click();
  await page.waitForFunction(() => document.querySelector("main > p span.count").textContent.trim() === "1");
  assert.equal(await page.evaluate(() => document.querySelector("span.count").djustMark), "kept");

  // The component's button: the event names the component; only its count changes.
  await page.getByRole("button", { name: "+1" }).click();
  await page.waitForFunction(() => document.querySelector('[dj-component="cart"] .count').textContent.trim() === "1");
  const events = traffic.sent.filter((m) => m.type === "event");
  assert.deepEqual(
    events.map((m) => [m.name, m.component]),
    [
      ["increment", undefined],
      ["increment", "cart"],
    ],
  );
  assert.equal(await page.evaluate(() => document.querySelector("main > p span.count").textContent.trim()), "1");
  assert.equal(traffic.sockets.length, 1, "one WebSocket for the page's life");
  assert.deepEqual(traffic.errors, [], "no page or console errors");
  assert.deepEqual(traffic.received.filter((m) => m.type === "error"), [], "no error replies");
});
