// djust browser client: connects each LiveView on the page to the server over a
// WebSocket, sends its events and applies the patches that come back
// (docs/client.md; messages in python/djust/consumer.py; patches in docs/protocol.md).
//
// A LiveView's root is the element with `dj-view="app.views.Class"` (and `dj-root`).
// On connect the client sends `mount` with the page's URL and the token the server put
// on the root (`dj-session`); the reply's HTML (with `dj-id`s) replaces the root. A
// `stale` refusal (an old or foreign token) reloads the page once for a fresh one. Directives, on any element inside the root:
//   dj-click, dj-input, dj-change, dj-submit, dj-keydown[.key], dj-keyup[.key] = handler
//   dj-model[.lazy][.trim][.debounce-N] = state attribute bound to the field's value
//   dj-debounce / dj-throttle = milliseconds ("blur" debounces until the field loses focus)
//   dj-confirm = question asked before the event is sent
//   dj-target="#id" = the reply patches only that element's children (the rest follows later)
//   dj-optimistic = a change applied at once and undone when the reply comes (optimistic.js)
//   dj-transition = classes when a patch inserts or removes the element (transitions.js)
//   dj-loading.disable / .class="c" / .show / .hide (.remove) = while this element's event is in
//   flight (or, with dj-loading-for="handler", any event for that handler)
// Params: `value` (the field's value, a button's value) and the element's `data-*`
// attributes (data-item-id → item_id; `data-n:int`, `:float`, `:bool`, `:json` convert).
// The root carries `dj-connection="open|closed"` and `aria-busy` while events are pending.
// A closed socket reconnects with exponential backoff (src/connection.js); meanwhile `<html>` has
// the class `dj-offline` and `[dj-offline]` elements are shown (hidden once open).
// Navigation: `<a dj-patch href>` changes the URL of the same view (the server runs
// handle_params), `<a dj-navigate href>` mounts the LiveView of another URL over the
// same socket; back/forward asks the server the same way. A `navigate` reply carries the
// page token to mount with; a `patch` reply's `url` goes into the history; a link the
// view's route map (`routes` of the mount) does not cover loads as a page.
// Uploads: `dj-upload` file inputs send their files in binary chunks (src/uploads.js).
// Streams: `stream` messages (an async handler's stream_insert/stream_text/...) go to
// `dj-stream` containers (src/streams.js).
// Live cursors: the pointer over a `dj-cursors` element goes out as `cursor` messages
// (throttled), and the other members' come back drawn outside the root (src/cursors.js).
// Errors: a reply with a traceback (the server runs with DEBUG) opens an overlay in the
// page (src/overlay.js).
// Background work: a reply's `pending` task names keep its element's loading state until
// a later message says they are `done`.
// Server push: a reply's `events` (the view's `push_event(name, payload)`) go, after its
// HTML or patches are in place, to `handleEvent(name, callback)` callbacks (the view's,
// its hooks') and as a `djust:push_event` DOM event ({event, payload}) dispatched on the
// root, which bubbles to `document` and `window`. Hooks (`dj-hook`): src/hooks.js.

import { applyPatches, PatchError } from "./patch.js";
import { Hooks } from "./hooks.js";
import { listenForEscape, showOverlay } from "./overlay.js";
import { applyOptimistic } from "./optimistic.js";
import { entered, leaving } from "./transitions.js";
import { applyStream } from "./streams.js";
import { chunkFrame, upload } from "./uploads.js";
import { Connection } from "./connection.js";
import { CursorSender, showCursor } from "./cursors.js";

export { backoff, Connection } from "./connection.js";

const EVENTS = ["click", "input", "change", "submit", "keydown", "keyup", "focusout"];
/** Convert `data-*` attributes to params: data-item-id="3" → {item_id: "3"}. */
export function dataParams(el) {
  const out = {};
  for (const { name, value } of el.attributes) {
    if (!name.startsWith("data-")) continue;
    let [key, type] = name.slice(5).split(":");
    key = key.replace(/-/g, "_");
    let v = value;
    if (type === "int") v = parseInt(value, 10);
    else if (type === "float") v = parseFloat(value);
    else if (type === "bool") v = value === "true" || value === "1" || value === "";
    else if (type === "json") {
      try {
        v = JSON.parse(value);
      } catch {
        v = value;
      }
    }
    out[key] = v;
  }
  return out;
}

/** A form's fields as params (repeated names become lists). */
export function formParams(form) {
  const out = {};
  for (const [k, v] of new form.ownerDocument.defaultView.FormData(form)) {
    if (typeof v !== "string") continue;
    if (k in out) out[k] = [].concat(out[k], v);
    else out[k] = v;
  }
  return out;
}

function fieldValue(el) {
  if (el.type === "checkbox") return el.checked;
  if (el.tagName === "SELECT" && el.multiple) return [...el.selectedOptions].map((o) => o.value);
  return "value" in el ? el.value : el.getAttribute("value");
}

/** `el`'s dj-model binding, if `type` is the event that updates it (`input` for text
 * fields; `change` for checkboxes, radios, selects and `.lazy`): `{field, trim,
 * debounce}` from `dj-model[.lazy][.trim][.debounce-N]="field"`. */
function modelField(el, type) {
  for (const { name, value } of el.attributes) {
    if (name !== "dj-model" && !name.startsWith("dj-model.")) continue;
    const mods = name.split(".").slice(1);
    const debounce = mods.find((m) => m.startsWith("debounce-"));
    const onChange = mods.includes("lazy") || el.type === "checkbox" || el.type === "radio" || el.tagName === "SELECT";
    if (!value || type !== (onChange ? "change" : "input")) return null;
    return { field: value, trim: mods.includes("trim"), debounce: debounce && debounce.slice(9) };
  }
  return null;
}

/** The directive attributes of `el` for `kind` (e.g. "dj-keydown", "dj-keydown.enter"). */
function directive(el, kind, key) {
  if (el.hasAttribute(kind)) return el.getAttribute(kind);
  if (key !== undefined) {
    const named = `${kind}.${key.toLowerCase()}`;
    if (el.hasAttribute(named)) return el.getAttribute(named);
  }
  return null;
}

/** One LiveView on the page, over its page's shared socket (`Connection`). */
export class LiveView {
  /**
   * @param {Element} root the element with `dj-view`
   * @param {{url?: string, WebSocket?: typeof WebSocket, id?: string,
   *   connections?: Map<string, Connection>}} [options] `id`: the view's `view_id`
   *   ("" for a page's first view); `connections`: the page's sockets by URL, shared
   */
  constructor(root, options = {}) {
    this.root = root;
    this.id = options.id || "";
    // The root is replaced on mount; keep the page's token for every (re)mount.
    this.session = root.getAttribute("dj-session");
    const loc = root.ownerDocument.defaultView.location;
    this.url =
      options.url ||
      `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}${root.getAttribute("dj-socket") || "/ws/djust/"}`;
    const connections = options.connections || new Map();
    if (!connections.has(this.url)) {
      connections.set(this.url, new Connection(this.url, options.WebSocket || root.ownerDocument.defaultView.WebSocket));
    }
    this.conn = connections.get(this.url);
    this.ref = 0;
    this.pending = new Map(); // ref → {undo, resolve}
    this.tasks = new Map(); // background task name → loading undos waiting for it
    this.navs = new Map(); // ref of a navigate message → whether it came from back/forward
    this.routes = null; // the route map of the view's live_session (regexes)
    this.listeners = new Map(); // push event name → Set of callbacks
    this.hooks = new Hooks(this);
    this.reconnecting = false;
    this.timers = new Map(); // element+event → debounce/throttle state
    this.handlers = {};
    this.version = 0;
    this.queue = [];
    // Live cursors (src/cursors.js): sent only while open; a cursor is never queued.
    this.cursors = new CursorSender((m) => this.conn.open && !this.mounting && this.conn.send(JSON.stringify(this.tag(m))));
    this.conn.add(this);
  }

  /** The socket closed (it reconnects by itself). */
  disconnected() {
    if (this.root.getAttribute("dj-connection") === "open") {
      this.reconnecting = true;
      this.hooks.each("disconnected");
    }
    this.setConnection("closed");
    this.finishAll();
  }

  /** Add this view's `view_id` to a message (the first view of a page has none). */
  tag(message) {
    if (this.id) message.view_id = this.id;
    return message;
  }

  /** Reload the page for a fresh token, unless this tab did so in the last 10 s. */
  reload() {
    const win = this.root.ownerDocument.defaultView;
    const key = "djust:reloaded";
    let last = 0;
    try {
      last = Number(win.sessionStorage.getItem(key)) || 0;
      win.sessionStorage.setItem(key, String(Date.now()));
    } catch {
      // Storage unavailable: reload anyway.
    }
    if (Date.now() - last < 10000) return;
    this.conn.closed = true;
    win.location.reload();
  }

  /** Close the page's socket for good (no reconnect). */
  close() {
    this.conn.close();
  }

  mount() {
    const loc = this.root.ownerDocument.defaultView.location;
    this.version = 0;
    this.mounting = true;
    // After a reconnect, `restore` asks for the state the server kept (djust.state_backends).
    const msg = { type: "mount", url: loc.pathname + loc.search, session: this.session };
    if (this.sid) msg.restore = this.sid;
    this.conn.send(JSON.stringify(this.tag(msg)));
  }

  setConnection(state) {
    this.root.setAttribute("dj-connection", state);
    // `dj-offline` elements anywhere on the page show while a view is disconnected.
    const doc = this.root.ownerDocument;
    const offline = state !== "open" || doc.querySelector('[dj-view][dj-connection="closed"]') !== null;
    for (const el of doc.querySelectorAll("[dj-offline]")) el.hidden = !offline;
    doc.documentElement.classList.toggle("dj-offline", offline);
    this.emit(state === "open" ? "connected" : "disconnected");
  }

  /** Dispatch `djust:<name>` on the root (bubbles to the document). */
  emit(name, detail) {
    const win = this.root.ownerDocument.defaultView;
    this.root.dispatchEvent(new win.CustomEvent(`djust:${name}`, { bubbles: true, detail }));
  }

  receive(msg) {
    const done = this.pending.get(msg.ref);
    const pop = this.navs.get(msg.ref);
    this.navs.delete(msg.ref);
    if (done) {
      this.pending.delete(msg.ref);
      // Background work it started (`pending`) keeps the loading state until `done`.
      if (msg.pending && msg.pending.length) this.hold(msg.pending, done.undo);
      else done.undo();
    }
    if (msg.done) this.release(msg.done);
    // An optimistic change is undone first: the reply's patches start from what the
    // server rendered, and bring its decision.
    if (done && done.rollback) done.rollback();
    this.apply(msg, pop === true, done && done.message, done && done.el);
    if (msg.events && (msg.type === "mounted" || msg.type === "patch")) this.dispatch(msg.events);
    if (done) done.resolve(msg);
  }

  apply(msg, pop, sent, trigger) {
    if (msg.type === "mounted") {
      this.mounting = false;
      this.sid = msg.sid;
      const tpl = this.root.ownerDocument.createElement("template");
      tpl.innerHTML = msg.html.trim();
      const fresh = tpl.content.firstElementChild;
      if (fresh) {
        // Keep the focused field's value and selection across the swap.
        const active = this.root.ownerDocument.activeElement;
        const name = active && this.root.contains(active) && active.getAttribute("name");
        this.root.replaceWith(fresh);
        this.root = fresh;
        this.hooks.remount(this.reconnecting);
        this.reconnecting = false;
        if (name) {
          const again = [...fresh.querySelectorAll("[name]")].find((n) => n.getAttribute("name") === name);
          if (again && "value" in again && again.type !== "checkbox" && again.type !== "radio") {
            again.value = active.value;
            again.focus();
          }
        }
      }
      this.handlers = msg.handlers || {};
      this.routes = msg.routes ? msg.routes.map((r) => new RegExp(r)) : null;
      if (msg.url) this.history(msg.url, true);
      this.version = msg.v;
      this.setConnection("open");
      for (const m of this.queue.splice(0)) this.conn.send(m);
    } else if (msg.type === "patch") {
      if (msg.v !== this.version + 1) return this.mount();
      const touched = this.hooks.beforePatch(msg.patches);
      try {
        // The fields of the event's own element take the server's value even when
        // focused (a handler that resets the state bound to them clears them).
        const unlocked = new Set(trigger ? [trigger, ...(trigger.tagName === "FORM" ? trigger.elements : [])] : []);
        applyPatches(this.root, { v: msg.pv, patches: msg.patches }, { unlocked, onInsert: entered, onRemove: leaving });
        this.version = msg.v;
        this.hooks.afterPatch(touched);
        if (msg.url && !pop) this.history(msg.url, msg.replace);
      } catch (err) {
        if (!(err instanceof PatchError)) throw err;
        console.warn("djust: re-mount", err);
        this.mount();
      }
      this.emit("patched", msg);
    } else if (msg.type === "cursor") {
      showCursor(this.root, msg);
    } else if (msg.type === "stream") {
      applyStream(this.root, msg.ops);
      this.emit("stream", msg);
    } else if (msg.type === "navigate") {
      // Another LiveView over this socket: its token, the URL, then its mount.
      this.session = msg.session;
      this.sid = undefined;
      if (!pop) this.history(msg.url, msg.replace);
      this.mount();
    } else if (msg.type === "redirect") {
      this.conn.closed = true; // the page leaves: no reconnect
      this.root.ownerDocument.defaultView.location.assign(msg.url);
    } else if (msg.type === "error") {
      console.error("djust:", msg.message, msg.traceback || "");
      // Only a server with DEBUG sends the traceback: show it in the page.
      if (msg.traceback) {
        const loc = this.root.ownerDocument.defaultView.location;
        showOverlay(this.root.ownerDocument, msg, sent || (this.mounting ? { type: "mount", url: loc.pathname + loc.search } : undefined));
      }
      this.emit("error", msg);
      if (msg.code === "stale" && this.mounting) this.reload();
    }
  }

  /** Send an event (or `model` update) now, with loading states until its reply; a
   * Promise of the reply (an `error` with code `disconnected` if the socket closes). */
  send(message, el) {
    message.ref = ++this.ref;
    const undo = this.loading(el, message.name);
    const rollback = applyOptimistic(el);
    let resolve;
    const reply = new Promise((r) => (resolve = r));
    this.pending.set(message.ref, { undo, resolve, message, rollback, el });
    this.root.setAttribute("aria-busy", "true");
    const text = JSON.stringify(this.tag(message));
    if (this.conn.open && !this.mounting) this.conn.send(text);
    else this.queue.push(text);
    return reply;
  }

  /** Keep `undo` until every task of `names` is done. */
  hold(names, undo) {
    let left = names.length;
    const once = () => --left === 0 && undo();
    for (const name of names) {
      if (!this.tasks.has(name)) this.tasks.set(name, []);
      this.tasks.get(name).push(once);
    }
  }

  /** The tasks `names` ended: undo the loading states they held. */
  release(names) {
    for (const name of names) {
      const waiting = this.tasks.get(name) || [];
      this.tasks.delete(name);
      for (const undo of waiting) undo();
    }
  }

  finishAll() {
    this.release([...this.tasks.keys()]);
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const { undo, resolve, rollback } of pending) {
      if (rollback) rollback();
      undo();
      resolve({ type: "error", code: "disconnected", message: "the connection closed" });
    }
  }

  /** Put `url` in the browser's history (a new entry, or in place of the current). */
  history(url, replace) {
    const win = this.root.ownerDocument.defaultView;
    win.history[replace ? "replaceState" : "pushState"]({ djust: true }, "", url);
  }

  /** Ask the server for `href` (`mode` "patch" or "navigate"; `pop` from back/forward):
   * loaded as a page when it is on another site or outside the view's route map. */
  navigate(href, mode, pop = false, el = null) {
    const win = this.root.ownerDocument.defaultView;
    const url = new win.URL(href, win.location.href);
    const offMap = mode === "navigate" && this.routes && !this.routes.some((r) => r.test(url.pathname));
    if (url.origin !== win.location.origin || offMap) {
      this.conn.closed = true;
      win.location.assign(url.href);
      return Promise.resolve({ type: "redirect", url: url.href });
    }
    const message = { type: "navigate", url: url.pathname + url.search, mode };
    const reply = this.send(message, el);
    this.navs.set(message.ref, pop);
    return reply;
  }

  /** Send one binary chunk of an upload (src/uploads.js); a Promise of its reply. */
  sendChunk(header, data) {
    header.ref = ++this.ref;
    let resolve;
    const reply = new Promise((r) => (resolve = r));
    if (!this.conn.open || this.mounting) {
      resolve({ type: "error", code: "disconnected", message: "the connection is not open" });
      return reply;
    }
    this.pending.set(header.ref, { undo: () => {}, resolve, message: { type: "upload", name: header.name } });
    this.conn.send(chunkFrame(this.tag(header), data));
    return reply;
  }

  /** Call the view's event handler `name` with `payload` as its params (what a hook's
   * `this.pushEvent` does): a Promise of the reply. */
  pushEvent(name, payload) {
    return this.send({ type: "event", name, params: payload || {} }, null);
  }

  /** Call `callback(payload)` for each `push_event(name, payload)` of this view; returns
   * a function that stops it. */
  handleEvent(name, callback) {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    const set = this.listeners.get(name);
    const entry = (payload) => callback(payload);
    set.add(entry);
    return () => set.delete(entry);
  }

  /** Hand a reply's pushed events to their callbacks and to the DOM, in order. */
  dispatch(events) {
    for (const { event, payload } of events) {
      for (const callback of [...(this.listeners.get(event) || [])]) {
        try {
          callback(payload);
        } catch (err) {
          console.error(`djust: a handleEvent("${event}") callback threw`, err);
        }
      }
      this.emit("push_event", { event, payload });
    }
  }

  /** Apply `el`'s dj-loading states (and those of dj-loading-for="name"); return the undo. */
  loading(el, name) {
    const targets = el ? [el] : [];
    if (name) {
      for (const t of this.root.querySelectorAll("[dj-loading-for]")) {
        if (t.getAttribute("dj-loading-for") === name && t !== el) targets.push(t);
      }
    }
    const undo = [];
    for (const t of targets) {
      if (t.hasAttribute("dj-loading.disable") && !t.disabled) {
        t.disabled = true;
        undo.push(() => (t.disabled = false));
      }
      const cls = t.getAttribute("dj-loading.class");
      if (cls) {
        const add = cls.split(/\s+/).filter((c) => c && !t.classList.contains(c));
        t.classList.add(...add);
        undo.push(() => t.classList.remove(...add));
      }
      if (t.hasAttribute("dj-loading.show")) {
        const was = t.hidden;
        t.hidden = false;
        undo.push(() => (t.hidden = was));
      }
      if (t.hasAttribute("dj-loading.hide") || t.hasAttribute("dj-loading.remove")) {
        const was = t.hidden;
        t.hidden = true;
        undo.push(() => (t.hidden = was));
      }
    }
    return () => {
      for (const u of undo) u();
      if (this.pending.size === 0) this.root.removeAttribute("aria-busy");
    };
  }

  /** Route a DOM event inside the root to its directive, if any. */
  handle(e) {
    const type = e.type;
    for (let el = e.target; el && el.nodeType === 1; el = el.parentElement) {
      if (type === "click" && el.tagName === "A" && (el.hasAttribute("dj-patch") || el.hasAttribute("dj-navigate"))) {
        // A new tab or window (modifier keys, target) is the browser's business.
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.altKey || e.button > 0) return;
        if ((el.getAttribute("target") || "_self") !== "_self") return;
        e.preventDefault();
        this.navigate(el.getAttribute("href"), el.hasAttribute("dj-patch") ? "patch" : "navigate", false, el);
        return;
      }
      if (type === "focusout") {
        const t = this.timers.get(el);
        if (t && t.blur) {
          this.timers.delete(el);
          t.fire();
        }
        return;
      }
      if (el === e.target && type === "change" && el.hasAttribute("dj-upload")) {
        upload(this, el);
        return;
      }
      if (el === e.target) {
        const bind = modelField(el, type);
        if (bind) {
          const value = () => {
            const v = fieldValue(el);
            return bind.trim && typeof v === "string" ? v.trim() : v;
          };
          this.schedule(el, "model", () => ({ type: "model", field: bind.field, value: value() }), undefined, bind.debounce);
        }
      }
      const key = type === "keydown" || type === "keyup" ? e.key : undefined;
      const name = directive(el, `dj-${type}`, key);
      if (name !== null) {
        if (type === "submit" || (type === "click" && el.tagName === "A")) e.preventDefault();
        const question = el.getAttribute("dj-confirm");
        const win = el.ownerDocument.defaultView;
        if (question && type !== "input" && !win.confirm(question)) return;
        // Inside a live component's root (`dj-component`, set by the server): its handler.
        const c = el.closest("[dj-component]");
        const component = this.root.contains(c) ? c.getAttribute("dj-component") : undefined;
        // dj-target="#id": only that element is patched by the reply (the rest follows).
        const scope = /^#[\w:.-]+$/.test(el.getAttribute("dj-target") || "") ? el.getAttribute("dj-target").slice(1) : undefined;
        this.schedule(el, type, () => ({ type: "event", name, params: this.params(el, e), component, target: scope }), name);
        return;
      }
      if (el === this.root) return;
    }
  }

  params(el, e) {
    const params = dataParams(el);
    if (el.tagName === "FORM") Object.assign(params, formParams(el));
    else if (e.type === "click") {
      if (el.hasAttribute("value")) params.value = el.getAttribute("value");
    } else params.value = fieldValue(el);
    if (e.key !== undefined) params.key = e.key;
    return params;
  }

  /** Send now, or after dj-debounce (any event type), or at most once per dj-throttle. */
  schedule(el, kind, build, name, debounceFor) {
    const defaults = (name && this.handlers[name]) || {};
    const debounce = debounceFor ?? el.getAttribute("dj-debounce") ?? defaults.debounce;
    const throttle = el.getAttribute("dj-throttle") ?? defaults.throttle;
    const fire = () => this.send(build(), el);
    if (debounce !== undefined && debounce !== null) {
      const slot = `${kind}`;
      const prev = this.timers.get(el);
      if (prev && prev.slot === slot) clearTimeout(prev.id);
      if (debounce === "blur") {
        this.timers.set(el, { slot, blur: true, fire });
      } else {
        const t = { slot, fire };
        t.id = setTimeout(() => {
          if (this.timers.get(el) === t) this.timers.delete(el);
          fire();
        }, Number(debounce));
        this.timers.set(el, t);
      }
      return;
    }
    if (throttle !== undefined && throttle !== null) {
      const now = Date.now();
      const last = el.__djThrottle || 0;
      const wait = Number(throttle) - (now - last);
      if (wait > 0) {
        clearTimeout(el.__djTrail);
        el.__djTrail = setTimeout(() => {
          el.__djThrottle = Date.now();
          fire();
        }, wait);
        return;
      }
      el.__djThrottle = now;
    }
    fire();
  }
}

/**
 * Connect every `[dj-view]` element of `doc` and route events to them.
 *
 * @param {Document} doc
 * @param {object} [options] passed to each `LiveView`
 * @returns {LiveView[]}
 */
export function start(doc, options) {
  // One socket per URL for the page's views; the first view has view_id "".
  const connections = new Map();
  const views = [...doc.querySelectorAll("[dj-view]")].map(
    (root, i) => new LiveView(root, { ...options, id: i ? `v${i}` : "", connections }),
  );
  const win = doc.defaultView;
  listenForEscape(doc);
  if (views.length) {
    // Back/forward between the URLs live navigation made: the page's main view (the
    // one with dj-root) asks the server for the URL the browser now shows.
    win.history.replaceState({ djust: true }, "", win.location.href);
    win.addEventListener("popstate", (e) => {
      if (!e.state || !e.state.djust) return;
      const main = views.find((v) => v.root.hasAttribute("dj-root")) || views[0];
      main.navigate(win.location.href, "patch", true);
    });
  }
  // The innermost view whose root holds the target handles an event.
  const owner = (e) => {
    const owners = views.filter((v) => v.root.contains(e.target));
    return owners.find((o) => !owners.some((p) => p !== o && o.root.contains(p.root)));
  };
  for (const type of EVENTS) {
    doc.addEventListener(type, (e) => owner(e)?.handle(e), true);
  }
  // Live cursors (src/cursors.js): the pointer over a view's dj-cursors element.
  doc.addEventListener("pointermove", (e) => owner(e)?.cursors.move(e), { capture: true, passive: true });
  return views;
}
