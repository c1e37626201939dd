// Reconnection in a real browser (issue 21, point 9): the example project on its own
// Daphne (127.0.0.1), a page mounted in Chromium, the server stopped and started
// again on the same port. While it is down the page shows its `dj-offline` banner and
// the LiveView root says `dj-connection="closed"`; the client retries with backoff,
// mounts again over a new socket (no page load), and the page works.
//
// Environment: as example.test.mjs (DJUST_PYTHON, CHROMIUM).

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { freePort, waitForServer } from "./support.mjs";

const EXAMPLES = fileURLToPath(new URL("../../examples/", import.meta.url));
const PYTHON = process.env.DJUST_PYTHON || "python3";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

const dbDir = mkdtempSync(join(tmpdir(), "djust-reconnect-"));
let server;
let browser;
let log = "";

async function serve(port) {
  const proc = spawn(PYTHON, ["manage.py", "demo", `127.0.0.1:${port}`], {
    cwd: EXAMPLES,
    env: { ...process.env, DJUST_EXAMPLE_DB: join(dbDir, "demo.sqlite3"), PYTHONUNBUFFERED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout.on("data", (d) => (log += d));
  proc.stderr.on("data", (d) => (log += d));
  await waitForServer(`http://127.0.0.1:${port}/`, 60_000, proc, () => log);
  return proc;
}

function stop(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once("exit", resolve);
    proc.kill("SIGTERM");
  });
}

after(async () => {
  if (browser) await browser.close();
  if (server) await stop(server);
  rmSync(dbDir, { recursive: true, force: true });
});

test("after the server restarts, the page reconnects with backoff and works again without a reload", async () => {
  const port = await freePort();
  server = await serve(port);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  const page = await browser.newPage();
  const sockets = [];
  page.on("websocket", (ws) => sockets.push(ws));
  await page.goto(`http://127.0.0.1:${port}/counter/`);
  await page.waitForSelector('[dj-view][dj-connection="open"]');
  await page.evaluate(() => (window.djustMark = "same page"));
  const banner = page.locator("[dj-offline]");
  assert.equal(await banner.isVisible(), false);
  await page.getByRole("button", { name: "+" }).click();
  await page.waitForFunction(() => document.querySelector("output").textContent.trim() === "1");

  await stop(server);
  await page.waitForSelector('[dj-view][dj-connection="closed"]', { timeout: 10_000 });
  assert.equal(await banner.isVisible(), true, "the offline banner shows");
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains("dj-offline")), true);
  await page.waitForTimeout(1500); // several failed attempts while it is down

  server = await serve(port);
  await page.waitForSelector('[dj-view][dj-connection="open"]', { timeout: 20_000 });
  assert.equal(await banner.isVisible(), false);
  // A fresh mount: the view's state starts from mount() again, on a new socket.
  assert.equal((await page.locator("output").textContent()).trim(), "0");
  assert.ok(sockets.length >= 2, `a new WebSocket: ${sockets.length}`);
  await page.getByRole("button", { name: "+" }).click();
  await page.waitForFunction(() => document.querySelector("output").textContent.trim() === "1");
  assert.equal(await page.evaluate(() => window.djustMark), "same page", "no page load");
  await page.close();
});
