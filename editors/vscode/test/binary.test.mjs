// Which binary the extension starts (src/binary.ts, built to dist/binary.cjs for the test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, "..");
execFileSync(path.join(root, "node_modules/.bin/esbuild"), [
  "src/binary.ts", "--bundle", "--platform=node", "--format=cjs", "--outfile=dist/binary.cjs",
], { cwd: root });
const { resolveBinary } = createRequire(import.meta.url)("../dist/binary.cjs");

test("the djust.path setting wins, with ~ expanded", () => {
  assert.equal(resolveBinary("/opt/djust", ["/p"], "linux", () => true), "/opt/djust");
  assert.equal(resolveBinary("~/bin/djust", [], "linux", () => false, "/home/me"), "/home/me/bin/djust");
});

test("then the first virtualenv of the first folder that has one", () => {
  const present = new Set(["/b/venv/bin/djust", "/b/.venv/bin/djust", "/c/.venv/bin/djust"]);
  assert.equal(resolveBinary("", ["/a", "/b", "/c"], "linux", (p) => present.has(p)), "/b/.venv/bin/djust");
  assert.equal(
    resolveBinary(undefined, ["C:\\p"], "win32", (p) => p === path.join("C:\\p", ".venv", "Scripts", "djust.exe")),
    path.join("C:\\p", ".venv", "Scripts", "djust.exe"),
  );
});

test("else djust on PATH", () => {
  assert.equal(resolveBinary("  ", ["/a"], "linux", () => false), "djust");
});

test("a djust project: a manifest names the package, or a virtualenv has the binary", async () => {
  const { isDjustProject } = createRequire(import.meta.url)("../dist/binary.cjs");
  assert.equal(isDjustProject(['[project]\ndependencies = ["django>=5", "djust>=0.1"]'], false), true);
  assert.equal(isDjustProject(["Django==5.2\ndjust\n"], false), true);
  assert.equal(isDjustProject(["django-djusty==1\nmy-djust-fork\n"], false), false);
  assert.equal(isDjustProject(["Django==5.2\n"], false), false);
  assert.equal(isDjustProject([], true), true);
});
