// Live cursors (djust.presence): a LiveView that tracks presence puts `dj-cursors` on
// an element; the pointer's position over it goes to the server at most every 100 ms as
// `{"type": "cursor", "x", "y"}` (fractions of the element's box, 0..1), and the other
// members' positions come back as `{"type": "cursor", "id", "x", "y", "meta"}`. They are
// drawn as `.djust-cursor` elements (labelled with `meta.name`, coloured with
// `meta.color`) in a layer appended to <body> (`#djust-cursors`), outside every LiveView root, so patches
// never see them; `"gone": true`, or 30 s without news, removes one.

const ATTR = "dj-cursors";
const LAYER = "djust-cursors";
const EVERY_MS = 100;
const IDLE_MS = 30000;

/** Send this view's pointer position over `dj-cursors` elements (throttled). */
export class CursorSender {
  constructor(send, now = () => Date.now()) {
    this.send = send;
    this.now = now;
    this.last = 0;
    this.timer = null;
    this.next = null;
  }

  /** A `pointermove` inside the view: send its position over its `dj-cursors` element. */
  move(e) {
    const box = e.target && e.target.closest ? e.target.closest(`[${ATTR}]`) : null;
    if (!box) return;
    const r = box.getBoundingClientRect();
    if (!r.width || !r.height) return;
    const clamp = (v) => Math.min(1, Math.max(0, Math.round(v * 10000) / 10000));
    this.next = { x: clamp((e.clientX - r.left) / r.width), y: clamp((e.clientY - r.top) / r.height) };
    const wait = EVERY_MS - (this.now() - this.last);
    if (wait <= 0) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), wait);
  }

  flush() {
    clearTimeout(this.timer);
    this.timer = null;
    if (!this.next) return;
    this.last = this.now();
    this.send({ type: "cursor", ...this.next });
    this.next = null;
  }
}

/** Draw (or move, or remove) another member's cursor over `root`'s `dj-cursors` element. */
export function showCursor(root, msg) {
  const doc = root.ownerDocument;
  let layer = doc.getElementById(LAYER);
  if (!layer) {
    layer = doc.createElement("div");
    layer.id = LAYER;
    layer.setAttribute("aria-hidden", "true");
    layer.style.cssText = "position:fixed;inset:0;pointer-events:none;z-index:2147483646";
    doc.body.append(layer);
  }
  const id = String(msg.id);
  let el = [...layer.children].find((c) => c.dataset.cursorId === id);
  if (msg.gone) {
    if (el) el.remove();
    return;
  }
  const box = root.matches(`[${ATTR}]`) ? root : root.querySelector(`[${ATTR}]`);
  if (!box || typeof msg.x !== "number" || typeof msg.y !== "number") return;
  if (!el) {
    el = doc.createElement("div");
    el.className = "djust-cursor";
    el.dataset.cursorId = id;
    el.style.cssText = "position:absolute;font:12px sans-serif;white-space:nowrap";
    layer.append(el);
  }
  const meta = msg.meta && typeof msg.meta === "object" ? msg.meta : {};
  el.textContent = `▲ ${meta.name == null ? "" : String(meta.name)}`;
  if (typeof meta.color === "string" && /^#[0-9a-fA-F]{3,8}$/.test(meta.color)) el.style.color = meta.color;
  const r = box.getBoundingClientRect();
  el.style.left = `${r.left + msg.x * r.width}px`;
  el.style.top = `${r.top + msg.y * r.height}px`;
  clearTimeout(el._djIdle);
  el._djIdle = setTimeout(() => el.remove(), IDLE_MS);
}
