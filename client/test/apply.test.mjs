// The browser applier (src/patch.js) on a DOM implementation (happy-dom), against
// the patch corpus the Rust diff writes (runtime/tests/vdom_diff.rs,
// `writes_the_patch_corpus_for_the_browser_applier`): every benchmark case, form
// value cases and 300 random (tree, edit) cases, each checked with the Rust applier
// first. Plus the browser-only rules: focus, form properties, SVG namespaces, errors.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Window } from "happy-dom";
import { applyPatches, PatchError, significantChildren } from "../src/patch.js";

const corpusPath =
  process.env.DJUST_PATCH_CORPUS ?? fileURLToPath(new URL("../../target/patch-corpus.json", import.meta.url));

function page(html) {
  const window = new Window();
  const document = window.document;
  document.body.innerHTML = html;
  return { window, document, root: document.body.firstElementChild };
}

/** A canonical form of a subtree: significant children only, attributes sorted. */
function canon(node) {
  if (node.nodeType === 3) return { text: node.data };
  if (node.nodeType === 8) return { comment: node.data };
  const attrs = [...node.attributes].map((a) => [a.name, a.value]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    tag: node.localName,
    ns: node.namespaceURI,
    attrs,
    children: significantChildren(node).map(canon),
  };
}

test("the patch corpus exists (written by cargo test -p djust-runtime --test vdom_diff)", () => {
  assert.ok(existsSync(corpusPath), `${corpusPath} is missing: run cargo test -p djust-runtime --test vdom_diff`);
});

const corpus = existsSync(corpusPath) ? JSON.parse(readFileSync(corpusPath, "utf8")) : [];

test("the corpus covers the benchmark cases and a few hundred random edits", () => {
  assert.ok(corpus.length >= 300, `${corpus.length} cases`);
  for (const name of ["1000 rows, reversed", "1000 rows unkeyed, 10 inserted mid", "form values", "svg insert"]) {
    assert.ok(
      corpus.some((c) => c.name === name),
      name,
    );
  }
});

for (const c of corpus) {
  test(`corpus: ${c.name} (${c.message.patches.length} ops)`, () => {
    const { root } = page(c.before);
    const expected = page(c.after).root;
    assert.equal(applyPatches(root, c.message), c.message.patches.length);
    assert.deepEqual(canon(root), canon(expected));
  });
}

test("a focused input keeps what the user typed; others take the server's value", () => {
  const { document, root } = page('<form dj-id="0"><input dj-id="1" value="a"><input dj-id="2" value="b"></form>');
  const [typing, other] = root.querySelectorAll("input");
  typing.focus();
  typing.value = "user text";
  applyPatches(root, {
    v: 1,
    patches: [
      { op: "attrs", t: "1", set: [["value", "server"]] },
      { op: "attrs", t: "2", set: [["value", "server"]] },
    ],
  });
  assert.equal(document.activeElement, typing);
  assert.equal(typing.value, "user text");
  assert.equal(typing.getAttribute("value"), "server");
  assert.equal(other.value, "server");
});

test("checked and selected set and clear the live properties", () => {
  const { root } = page(
    '<form dj-id="0"><input dj-id="1" type="checkbox"><select dj-id="2"><option dj-id="3">a</option><option dj-id="4" selected>b</option></select></form>',
  );
  const box = root.querySelector("input");
  const select = root.querySelector("select");
  box.checked = false;
  applyPatches(root, {
    v: 1,
    patches: [
      { op: "attrs", t: "1", set: [["checked", ""]] },
      { op: "attrs", t: "4", remove: ["selected"] },
      { op: "attrs", t: "3", set: [["selected", ""]] },
    ],
  });
  assert.equal(box.checked, true);
  assert.equal(select.value, "a");
  applyPatches(root, { v: 1, patches: [{ op: "attrs", t: "1", remove: ["checked"] }] });
  assert.equal(box.checked, false);
});

test("a textarea's text patch updates its value unless it has focus", () => {
  const { root } = page('<div dj-id="0"><textarea dj-id="1">one</textarea></div>');
  const area = root.querySelector("textarea");
  applyPatches(root, { v: 1, patches: [{ op: "text", p: "1", i: 0, text: "two" }] });
  assert.equal(area.value, "two");
  area.focus();
  area.value = "typing";
  applyPatches(root, { v: 1, patches: [{ op: "text", p: "1", i: 0, text: "three" }] });
  assert.equal(area.value, "typing");
});

test("moving and reordering rows keeps focus and the caret", () => {
  const rows = [0, 1, 2, 3].map((k) => `<li dj-id="${k + 1}"><input dj-id="${k + 10}" value="row${k}"></li>`).join("");
  const { document, root } = page(`<ul dj-id="0">${rows}</ul>`);
  const input = root.querySelectorAll("input")[1];
  input.focus();
  input.setSelectionRange(1, 3);
  applyPatches(root, { v: 1, patches: [{ op: "reorder", p: "0", order: [3, 2, 1, 0] }] });
  assert.deepEqual(
    [...root.children].map((li) => li.getAttribute("dj-id")),
    ["4", "3", "2", "1"],
  );
  assert.equal(document.activeElement, input);
  assert.deepEqual([input.selectionStart, input.selectionEnd], [1, 3]);
  applyPatches(root, { v: 1, patches: [{ op: "move", p: "0", from: 2, to: 0 }] });
  assert.equal(root.firstElementChild.getAttribute("dj-id"), "2");
  assert.equal(document.activeElement, input);
});

test("whitespace-only text and ordinary comments are not counted as children", () => {
  const { root } = page('<div dj-id="0">\n  <!-- note -->\n  <p dj-id="1">a</p>\n  <!--dj-if-->\n  <p dj-id="2">b</p>\n</div>');
  assert.equal(significantChildren(root).length, 3);
  applyPatches(root, { v: 1, patches: [{ op: "remove", p: "0", i: 2 }] });
  assert.equal(root.querySelector('[dj-id="2"]'), null);
  assert.notEqual(root.querySelector('[dj-id="1"]'), null);
});

test("inserts into SVG are SVG elements", () => {
  const { root } = page('<div dj-id="0"><svg dj-id="1" viewBox="0 0 2 2"></svg></div>');
  applyPatches(root, {
    v: 1,
    patches: [{ op: "insert", p: "1", i: 0, html: '<linearGradient dj-id="2" id="g"></linearGradient>' }],
  });
  const g = root.querySelector('[dj-id="2"]');
  assert.equal(g.namespaceURI, "http://www.w3.org/2000/svg");
  assert.equal(g.localName, "linearGradient");
});

test("bad messages fail with the op's position and leave earlier ops applied", () => {
  const { root } = page('<div dj-id="0"><p dj-id="1">a</p></div>');
  assert.throws(() => applyPatches(root, { v: 2, patches: [] }), PatchError);
  assert.throws(
    () =>
      applyPatches(root, {
        v: 1,
        patches: [
          { op: "attrs", t: "1", set: [["class", "x"]] },
          { op: "text", p: "9", i: 0, text: "?" },
        ],
      }),
    (e) => e instanceof PatchError && e.index === 1 && /dj-id 9/.test(e.message),
  );
  assert.equal(root.querySelector("p").className, "x");
  assert.throws(() => applyPatches(root, { v: 1, patches: [{ op: "reorder", p: "0", order: [1] }] }), PatchError);
  assert.throws(() => applyPatches(root, { v: 1, patches: [{ op: "explode", p: "0" }] }), PatchError);
});
