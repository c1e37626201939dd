// The served file python/djust/static/djust/client.js is the current build of src/
// (rebuild with `npm run build`) and is under 10 KB minified (issue 5, point 3).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { bundle, OUTPUT } from "../scripts/build.mjs";

test("the committed client.js is the build of src/", async () => {
  const built = await bundle();
  const committed = readFileSync(OUTPUT, "utf8");
  assert.ok(committed === built, "python/djust/static/djust/client.js is stale: run `npm run build` in client/");
});

test("client.js is under 10 KB minified", () => {
  const size = readFileSync(OUTPUT).length;
  assert.ok(size < 10 * 1024, `client.js is ${size} bytes`);
});
