// dj-optimistic: change the element at once, before the server answers its event; the
// change is undone when the reply comes, just before the reply's patches are applied,
// so the page ends as the server rendered it (the same on success, rolled back on an
// error or when the server decided otherwise). Comma-separated, each one of:
//
//   class:read            toggle the class `read`
//   aria-pressed:true     set the attribute to the value
//   data-liked:!data-liked  flip the attribute between "true" and "false" (absent: false)

/**
 * Apply `el`'s `dj-optimistic`, if any.
 *
 * @param {Element} el the element whose event is being sent
 * @returns {(() => void) | null} the undo, or null when there is nothing to apply
 */
export function applyOptimistic(el) {
  const spec = el && el.getAttribute("dj-optimistic");
  if (!spec) return null;
  const undo = [];
  for (const part of spec.split(",")) {
    const at = part.indexOf(":");
    if (at < 1) continue;
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === "class") {
      if (!value) continue;
      const had = el.classList.contains(value);
      el.classList.toggle(value, !had);
      undo.push(() => el.classList.toggle(value, had));
      continue;
    }
    const before = el.getAttribute(key);
    const next = value === `!${key}` ? String(!(before === "true")) : value;
    try {
      el.setAttribute(key, next);
    } catch {
      continue; // not an attribute name
    }
    undo.push(() => (before === null ? el.removeAttribute(key) : el.setAttribute(key, before)));
  }
  return undo.length ? () => undo.reverse().forEach((u) => u()) : null;
}
