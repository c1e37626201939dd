// What the browser tests share: a free loopback port, and waiting for a server they
// started to answer. Not a test file (node --test runs *.test.mjs).

import { createServer } from "node:net";

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Wait until `url` answers 200, for at most `ms`; fails with the server's log (`log()`)
 * when the process `proc` exits or the time runs out.
 */
export async function waitForServer(url, ms, proc, log) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`the server exited:\n${log()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the server did not answer within ${ms} ms:\n${log()}`);
}
