// Stream messages (an `async` handler's `stream_to`/`stream_insert`/`stream_text`/
// `stream_delete`, python/djust/streaming.py): `{"type": "stream", "ops": [...]}` applied
// to the `dj-stream="name"` element (or the op's `target` selector) in the LiveView's
// root. What they add are stream items, elements marked `dj-stream-item`, which patches
// neither count nor touch (src/patch.js), so the server's own children of a stream
// container are still patched as usual. A container scrolled to (near) its end stays
// at its end.

function container(root, op) {
  if (op.target) {
    try {
      return root.matches(op.target) ? root : root.querySelector(op.target);
    } catch {
      return null; // not a selector
    }
  }
  if (root.getAttribute("dj-stream") === op.name) return root;
  return [...root.querySelectorAll("[dj-stream]")].find((el) => el.getAttribute("dj-stream") === op.name) || null;
}

const items = (box) => [...box.children].filter((el) => el.hasAttribute("dj-stream-item"));

/** The nodes of `html` as stream items (text wrapped in a span). */
function parseItems(doc, html) {
  const tpl = doc.createElement("template");
  tpl.innerHTML = html;
  const out = [];
  for (const node of [...tpl.content.childNodes]) {
    if (node.nodeType === 1) {
      node.setAttribute("dj-stream-item", "");
      out.push(node);
    } else if (node.nodeType === 3 && node.data.trim()) {
      const span = doc.createElement("span");
      span.setAttribute("dj-stream-item", "");
      span.append(node);
      out.push(span);
    }
  }
  return out;
}

/**
 * Apply a stream message's ops under `root`.
 *
 * @param {Element} root the LiveView's root
 * @param {Array<object>} ops `start`, `insert` (`html`, `at`), `text` (`text`),
 *   `delete` (`id` or `selector`), `done`; each with `name` and maybe `target`
 * @returns {number} the ops applied (those whose container is missing are skipped)
 */
export function applyStream(root, ops) {
  const doc = root.ownerDocument;
  let applied = 0;
  const stick = new Map();
  for (const op of ops || []) {
    const box = container(root, op);
    if (!box) {
      console.warn(`djust: no stream container for "${op.name}"`);
      continue;
    }
    if (!stick.has(box)) stick.set(box, box.scrollHeight - box.scrollTop - box.clientHeight < 40);
    applied++;
    if (op.op === "start") {
      for (const el of items(box)) el.remove();
      box.setAttribute("data-stream-active", "");
    } else if (op.op === "done") {
      box.removeAttribute("data-stream-active");
    } else if (op.op === "insert") {
      const nodes = parseItems(doc, op.html || "");
      if (op.at === "prepend") box.prepend(...nodes);
      else box.append(...nodes);
    } else if (op.op === "text") {
      let last = box.lastElementChild;
      if (!last || !last.hasAttribute("dj-stream-item") || !last.hasAttribute("data-stream-text")) {
        last = doc.createElement("span");
        last.setAttribute("dj-stream-item", "");
        last.setAttribute("data-stream-text", "");
        box.append(last);
      }
      last.append(doc.createTextNode(op.text || ""));
      last.normalize();
    } else if (op.op === "delete") {
      for (const el of items(box)) {
        let hit = false;
        try {
          hit = op.id !== undefined ? el.id === op.id : el.matches(op.selector);
        } catch {
          hit = false;
        }
        if (hit) el.remove();
      }
    } else {
      applied--;
    }
  }
  for (const [box, atEnd] of stick) if (atEnd) box.scrollTop = box.scrollHeight;
  return applied;
}
