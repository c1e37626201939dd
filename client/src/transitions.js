// dj-transition: CSS classes applied when a patch inserts or removes an element (Vue's
// <Transition>, named as the seed documents name it).
//
//   <li dj-transition="fade">            fade-enter-from → fade-enter-to when inserted,
//                                         fade-leave-from → fade-leave-to when removed
//   <li dj-transition-enter="opacity-0" dj-transition-enter-to="opacity-100"
//       dj-transition-leave="opacity-100" dj-transition-leave-to="opacity-0">
//
// The "from" classes go on at once, the "to" classes on the next frame (the CSS
// transition runs between them); they come off when the transition ends, or after
// `dj-transition-duration` milliseconds (default 400) if it never does. A removed
// element stays in the page until its leave transition ends, marked `dj-leaving`:
// patches no longer count it. The presets fade, slide-up, slide-down and scale bring
// their own CSS (added to the page once, when first used); other names are the page's.

const PRESETS = ["fade", "slide-up", "slide-down", "scale"];
const CSS =
  ".fade-enter-from,.fade-leave-to{opacity:0}" +
  ".slide-up-enter-from,.slide-up-leave-to{opacity:0;transform:translateY(.5rem)}" +
  ".slide-down-enter-from,.slide-down-leave-to{opacity:0;transform:translateY(-.5rem)}" +
  ".scale-enter-from,.scale-leave-to{opacity:0;transform:scale(.95)}" +
  PRESETS.map((p) => `.${p}-enter-to,.${p}-leave-to`).join(",") +
  "{transition:opacity .2s ease,transform .2s ease}";

const split = (v) => (v || "").split(/\s+/).filter(Boolean);

/** The [from, to] classes of `el` for `phase` ("enter" or "leave"), or null. */
export function classes(el, phase) {
  const name = el.getAttribute("dj-transition");
  if (name) {
    if (PRESETS.includes(name)) addPresetStyles(el.ownerDocument);
    return [[`${name}-${phase}-from`], [`${name}-${phase}-to`]];
  }
  const from = split(el.getAttribute(`dj-transition-${phase}`));
  const to = split(el.getAttribute(`dj-transition-${phase}-to`));
  return from.length || to.length ? [from, to] : null;
}

function addPresetStyles(doc) {
  if (doc.getElementById("djust-transitions")) return;
  const style = doc.createElement("style");
  style.id = "djust-transitions";
  style.textContent = CSS;
  doc.head.append(style);
}

function run(el, [from, to], done) {
  const win = el.ownerDocument.defaultView;
  const frame = win.requestAnimationFrame ? (f) => win.requestAnimationFrame(f) : (f) => setTimeout(f, 16);
  el.classList.add(...from);
  void el.offsetWidth; // the "from" state is laid out before the transition starts
  frame(() => {
    el.classList.remove(...from);
    el.classList.add(...to);
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      el.removeEventListener("transitionend", onEnd);
      clearTimeout(timer);
      el.classList.remove(...to);
      done();
    };
    const onEnd = (e) => e.target === el && finish();
    el.addEventListener("transitionend", onEnd);
    const timer = setTimeout(finish, Number(el.getAttribute("dj-transition-duration")) || 400);
  });
}

/** A node a patch inserted: run the enter transition of it and of the elements in it
 * that have one. */
export function entered(node) {
  if (node.nodeType !== 1) return;
  const els = node.matches("[dj-transition],[dj-transition-enter],[dj-transition-enter-to]") ? [node] : [];
  els.push(...node.querySelectorAll("[dj-transition],[dj-transition-enter],[dj-transition-enter-to]"));
  for (const el of els) {
    const c = classes(el, "enter");
    if (c) run(el, c, () => {});
  }
}

/** A patch removes `el`: when it has a leave transition, run it and remove the element
 * at its end (return true); else false (remove it now). */
export function leaving(el) {
  const c = classes(el, "leave");
  if (!c) return false;
  run(el, c, () => el.remove());
  return true;
}
