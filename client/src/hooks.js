// dj-hook: JavaScript attached to server-rendered elements (Phoenix LiveView's hooks;
// upstream djust's `dj-hook`). A page registers hook definitions by name, in
// `window.djust.hooks` or `window.DjustHooks` (the first wins on a clash):
//
//   window.DjustHooks = { Chart: { mounted() { ... }, updated() { ... } } };
//   <canvas dj-hook="Chart" id="sales" data-values="..."></canvas>
//
// Each hooked element gets an instance whose prototype is its definition, with:
//   this.el          the element
//   this.viewName    the LiveView's `dj-view`
//   this.pushEvent(name, payload)   send an event to the view's handler; a Promise of
//                    the reply (`patch`, or `error` with a `code`)
//   this.handleEvent(name, callback) receive the view's `push_event(name, payload)`;
//                    returns a function that stops it (removed when the hook is destroyed)
// and the callbacks, each optional, called at most once per change:
//   mounted()        the element is in the page (first render, or inserted by a patch)
//   beforeUpdate()   a patch is about to change the element or something inside it
//   updated()        that patch was applied
//   destroyed()      the element left the page (or its `dj-hook` changed)
//   disconnected()   the socket closed; reconnected() the view mounted again after that
//
// A hook that throws is logged and does not stop the others or the patch. Across a
// re-mount (the root's HTML replaced after a reconnect) an instance is kept when the
// new root has an element with the same `dj-hook` and the same `id` (else the same
// `dj-id`): its `el` is the new element and it gets reconnected() instead of
// destroyed() + mounted(). Give hooked elements an `id` to be sure of that.

/** The hook definition named `name`, from the page's registries, or undefined. */
export function definition(win, name) {
  const own = win.djust && win.djust.hooks;
  if (own && Object.prototype.hasOwnProperty.call(own, name)) return own[name];
  const compat = win.DjustHooks;
  if (compat && Object.prototype.hasOwnProperty.call(compat, name)) return compat[name];
  return undefined;
}

function call(instance, callback) {
  const fn = instance[callback];
  if (typeof fn !== "function") return;
  try {
    fn.call(instance);
  } catch (err) {
    console.error(`djust: hook ${instance.__name}.${callback}() threw`, err);
  }
}

/** Where an element is across a re-mount: its hook name and its `id` or `dj-id`. */
function identity(el) {
  const id = el.getAttribute("id");
  return `${el.getAttribute("dj-hook")}\u0000${id ? `#${id}` : el.getAttribute("dj-id")}`;
}

/** The hooks of one LiveView: which elements have live instances, and their lifecycle. */
export class Hooks {
  /**
   * @param {{root: Element, pushEvent: Function, handleEvent: Function}} view
   */
  constructor(view) {
    this.view = view;
    /** @type {Map<Element, object>} */
    this.live = new Map();
  }

  /** Start instances for hooked elements that have none; destroy those whose element
   * left the root or changed its `dj-hook`. Returns the instances started. */
  sync() {
    const root = this.view.root;
    for (const [el, instance] of this.live) {
      if (!root.contains(el) || el.getAttribute("dj-hook") !== instance.__name) this.destroy(el);
    }
    const started = [];
    const els = root.hasAttribute("dj-hook") ? [root] : [];
    els.push(...root.querySelectorAll("[dj-hook]"));
    for (const el of els) {
      if (this.live.has(el)) continue;
      const instance = this.create(el);
      if (instance) started.push(instance);
    }
    for (const instance of started) call(instance, "mounted");
    return started;
  }

  create(el) {
    const name = el.getAttribute("dj-hook");
    const win = el.ownerDocument.defaultView;
    const def = definition(win, name);
    if (!def) {
      console.warn(`djust: no hook named "${name}" (window.djust.hooks or window.DjustHooks)`);
      return null;
    }
    const view = this.view;
    const instance = Object.create(def);
    const stops = [];
    Object.assign(instance, {
      __name: name,
      __stops: stops,
      el,
      viewName: view.root.getAttribute("dj-view"),
      pushEvent: (event, payload) => view.pushEvent(event, payload),
      handleEvent: (event, callback) => {
        const stop = view.handleEvent(event, callback);
        stops.push(stop);
        return stop;
      },
    });
    this.live.set(el, instance);
    return instance;
  }

  destroy(el) {
    const instance = this.live.get(el);
    this.live.delete(el);
    for (const stop of instance.__stops.splice(0)) stop();
    call(instance, "destroyed");
  }

  /** The instances whose element is, or contains, an element the patches address
   * (`t` of `attrs`, `p` of the others); beforeUpdate() is called on them. */
  beforePatch(patches) {
    if (this.live.size === 0) return [];
    const ids = new Set();
    for (const op of patches) ids.add(op.op === "attrs" ? op.t : op.p);
    const touched = [];
    for (const [el, instance] of this.live) {
      const hit =
        ids.has(el.getAttribute("dj-id")) ||
        [...el.querySelectorAll("[dj-id]")].some((d) => ids.has(d.getAttribute("dj-id")));
      if (hit) touched.push(instance);
    }
    for (const instance of touched) call(instance, "beforeUpdate");
    return touched;
  }

  /** After patches: destroy and start as the DOM now says, then updated() on the
   * touched instances that are still live. */
  afterPatch(touched) {
    this.sync();
    for (const instance of touched) {
      if (this.live.get(instance.el) === instance) call(instance, "updated");
    }
  }

  /** The root was replaced by a fresh render (`fresh` is already in place): keep the
   * instances whose element has a counterpart (reconnected() when `reconnect`, else
   * updated()), destroy the rest, start the new ones. */
  remount(reconnect) {
    const old = new Map();
    for (const [el, instance] of this.live) old.set(identity(el), [el, instance]);
    const root = this.view.root;
    const kept = [];
    const els = root.hasAttribute("dj-hook") ? [root] : [];
    els.push(...root.querySelectorAll("[dj-hook]"));
    for (const el of els) {
      const match = old.get(identity(el));
      if (!match) continue;
      old.delete(identity(el));
      const [was, instance] = match;
      this.live.delete(was);
      instance.el = el;
      this.live.set(el, instance);
      kept.push(instance);
    }
    for (const [el] of old.values()) this.destroy(el);
    this.sync();
    for (const instance of kept) call(instance, reconnect ? "reconnected" : "updated");
  }

  /** Call `callback` (e.g. "disconnected") on every live instance. */
  each(callback) {
    for (const instance of this.live.values()) call(instance, callback);
  }
}
