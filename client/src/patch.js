// djust patch applier: applies a patch message (docs/protocol.md, version 1) to the
// live DOM. Dependency-free ES module; the Python package serves it to the browser.
//
// Addressing: elements by their `dj-id` attribute; children by index among the
// parent's *significant* children — elements, text that is not only whitespace
// (all text inside pre, code, textarea, script and style), and `dj-if` comments —
// which is how the server's VDOM counts them.
//
// Form values (runtime spec §3.1): the server diffs `value`, `checked` and
// `selected` as attributes; here they also update the live properties, except that
// the value of the element that has focus is never overwritten (the user is typing
// in it). Moves and reorders keep focus and the text selection.

/** The protocol version this applier speaks. */
export const PROTOCOL_VERSION = 1;

/** A patch that does not fit the DOM (the page should re-render from scratch). */
export class PatchError extends Error {
  /**
   * @param {number} index position of the failing op in the message
   * @param {string} message what was wrong
   */
  constructor(index, message) {
    super(`patch ${index}: ${message}`);
    this.name = "PatchError";
    this.index = index;
  }
}

const KEEP_SPACE = "pre,code,textarea,script,style";
const SVG_NS = "http://www.w3.org/2000/svg";
const MATHML_NS = "http://www.w3.org/1998/Math/MathML";
const BLANK = /^[ \t\n\r\f]*$/;

function keepsSpace(parent) {
  return parent.nodeType === 1 && parent.closest(KEEP_SPACE) !== null;
}

function isSignificant(node, keep) {
  switch (node.nodeType) {
    case 1:
      // An element on its way out (a leave transition) is no longer the server's, and
      // a stream item (src/streams.js) never was.
      return !node.hasAttribute("dj-leaving") && !node.hasAttribute("dj-stream-item");
    case 3:
      return keep || !BLANK.test(node.data);
    case 8: {
      const t = node.data.trim();
      return t.startsWith("dj-if") || t.startsWith("/dj-if");
    }
    default:
      return false;
  }
}

/** The significant children of `parent`, in order. */
export function significantChildren(parent) {
  const keep = keepsSpace(parent);
  const out = [];
  for (let n = parent.firstChild; n !== null; n = n.nextSibling) {
    if (isSignificant(n, keep)) out.push(n);
  }
  return out;
}

function isFormField(el) {
  return el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT";
}

/** Whether the live value of `el` may be set: not while the user types in it, unless
 * the reply is to that field's own event (`unlocked`). */
function writable(el, doc, unlocked) {
  return doc.activeElement !== el || unlocked.has(el);
}

function setAttr(el, name, value, doc, unlocked) {
  el.setAttribute(name, value);
  if (name === "value" && isFormField(el) && writable(el, doc, unlocked)) {
    el.value = value;
  } else if (name === "checked" && el.tagName === "INPUT") {
    el.checked = true;
  } else if (name === "selected" && el.tagName === "OPTION") {
    el.selected = true;
  }
}

function removeAttr(el, name, doc, unlocked) {
  el.removeAttribute(name);
  if (name === "value" && isFormField(el) && writable(el, doc, unlocked)) {
    el.value = "";
  } else if (name === "checked" && el.tagName === "INPUT") {
    el.checked = false;
  } else if (name === "selected" && el.tagName === "OPTION") {
    el.selected = false;
  }
}

/** Parse `html` (one node) as a child of `parent`, in `parent`'s namespace. */
function parseChild(parent, html, doc) {
  const tpl = doc.createElement("template");
  const ns = parent.namespaceURI;
  if (ns === SVG_NS || ns === MATHML_NS) {
    const wrap = ns === SVG_NS ? "svg" : "math";
    tpl.innerHTML = `<${wrap}>${html}</${wrap}>`;
    const box = tpl.content.firstChild;
    return box ? box.firstChild : null;
  }
  tpl.innerHTML = html;
  return tpl.content.firstChild;
}

/** Run `fn` (which moves nodes) without losing focus or the text selection. */
function keepingFocus(doc, fn) {
  const active = doc.activeElement;
  let range = null;
  if (active && typeof active.selectionStart === "number") {
    try {
      range = [active.selectionStart, active.selectionEnd, active.selectionDirection];
    } catch {
      range = null; // inputs of types without a selection
    }
  }
  fn();
  if (active && active !== doc.activeElement && active.isConnected && typeof active.focus === "function") {
    active.focus();
    if (range) {
      try {
        active.setSelectionRange(range[0], range[1], range[2] || "none");
      } catch {
        // not selectable
      }
    }
  }
}

/**
 * Apply a patch message to the DOM under `root` (the LiveView's `dj-root` element).
 *
 * @param {Element} root the element whose subtree the patches address
 * @param {{v: number, patches: Array<object>}} message the decoded JSON message
 * @param {{unlocked?: Set<Element>, onInsert?: (node: Node) => void,
 *   onRemove?: (node: Node) => boolean}} [options] `unlocked`: form fields whose value
 *   is set even when focused (the reply to their own event); `onInsert` sees each
 *   inserted node; `onRemove` may take a removal over (return true: the node is marked
 *   `dj-leaving`, no longer counted, and removed by the caller later)
 * @returns {number} the number of ops applied
 * @throws {PatchError} on a version mismatch or an op that does not fit the DOM;
 *   the ops before it stay applied
 */
export function applyPatches(root, message, options = {}) {
  const unlocked = options.unlocked || new Set();
  if (!message || message.v !== PROTOCOL_VERSION) {
    throw new PatchError(-1, `unsupported protocol version ${message && message.v}`);
  }
  const doc = root.ownerDocument;
  let index = null;
  const byId = (id, n) => {
    if (root.getAttribute("dj-id") === id) return root;
    if (index === null) {
      index = new Map();
      for (const el of root.querySelectorAll("[dj-id]")) index.set(el.getAttribute("dj-id"), el);
    }
    const el = index.get(id);
    if (!el || !root.contains(el)) throw new PatchError(n, `no element with dj-id ${id}`);
    return el;
  };
  const remember = (node) => {
    if (index === null || node.nodeType !== 1) return;
    if (node.hasAttribute("dj-id")) index.set(node.getAttribute("dj-id"), node);
    for (const el of node.querySelectorAll("[dj-id]")) index.set(el.getAttribute("dj-id"), el);
  };
  const patches = message.patches || [];
  patches.forEach((p, n) => {
    switch (p.op) {
      case "attrs": {
        const el = byId(p.t, n);
        for (const name of p.remove || []) removeAttr(el, name, doc, unlocked);
        for (const [name, value] of p.set || []) setAttr(el, name, value, doc, unlocked);
        break;
      }
      case "text": {
        const parent = byId(p.p, n);
        const child = significantChildren(parent)[p.i];
        if (!child || (child.nodeType !== 3 && child.nodeType !== 8)) {
          throw new PatchError(n, `child ${p.i} of dj-id ${p.p} is not text`);
        }
        child.data = p.text;
        if (parent.tagName === "TEXTAREA" && writable(parent, doc, unlocked)) parent.value = p.text;
        break;
      }
      case "remove": {
        const parent = byId(p.p, n);
        const child = significantChildren(parent)[p.i];
        if (!child) throw new PatchError(n, `remove ${p.i}: no such child of dj-id ${p.p}`);
        if (options.onRemove && child.nodeType === 1 && options.onRemove(child)) child.setAttribute("dj-leaving", "");
        else child.remove();
        break;
      }
      case "insert": {
        const parent = byId(p.p, n);
        const kids = significantChildren(parent);
        if (p.i > kids.length) throw new PatchError(n, `insert at ${p.i} of ${kids.length}`);
        const node = parseChild(parent, p.html, doc);
        if (!node) throw new PatchError(n, "insert of empty html");
        parent.insertBefore(node, kids[p.i] || null);
        remember(node);
        if (options.onInsert) options.onInsert(node);
        break;
      }
      case "move": {
        const parent = byId(p.p, n);
        const kids = significantChildren(parent);
        const node = kids[p.from];
        if (!node || p.to >= kids.length) throw new PatchError(n, `move ${p.from} → ${p.to} of ${kids.length}`);
        kids.splice(p.from, 1);
        keepingFocus(doc, () => parent.insertBefore(node, kids[p.to] || null));
        break;
      }
      case "reorder": {
        const parent = byId(p.p, n);
        const kids = significantChildren(parent);
        const order = p.order || [];
        const seen = new Set(order);
        if (order.length !== kids.length || seen.size !== kids.length || order.some((k) => !(k >= 0 && k < kids.length))) {
          throw new PatchError(n, `reorder is not a permutation of ${kids.length}`);
        }
        // Re-insert only the children that are out of place, keeping the rest.
        keepingFocus(doc, () => {
          let cursor = kids[0] || null;
          for (const k of order) {
            const node = kids[k];
            if (node === cursor) {
              cursor = nextSignificant(cursor, parent);
            } else {
              parent.insertBefore(node, cursor);
            }
          }
        });
        break;
      }
      default:
        throw new PatchError(n, `unknown op ${JSON.stringify(p.op)}`);
    }
  });
  return patches.length;
}

function nextSignificant(node, parent) {
  const keep = keepsSpace(parent);
  for (let n = node.nextSibling; n !== null; n = n.nextSibling) {
    if (isSignificant(n, keep)) return n;
  }
  return null;
}
