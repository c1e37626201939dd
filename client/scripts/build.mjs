// Builds the static file the Python package serves, `djust/client.js`: src/index.js
// bundled with src/client.js and src/patch.js, minified (esbuild, IIFE, ES2020).
// `node scripts/build.mjs` writes it; test/bundle.test.mjs checks the committed file
// is what this produces and that it stays under 10 KB.

import { build } from "esbuild";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const OUTPUT = fileURLToPath(new URL("../../python/djust/static/djust/client.js", import.meta.url));

/** The minified bundle, as text. */
export async function bundle() {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("../src/index.js", import.meta.url))],
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2020",
    legalComments: "none",
    write: false,
  });
  return result.outputFiles[0].text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = await bundle();
  writeFileSync(OUTPUT, text);
  console.log(`${OUTPUT}: ${Buffer.byteLength(text)} bytes`);
}
