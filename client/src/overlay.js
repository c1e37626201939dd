// The error overlay: with `DEBUG = True` the server's error replies carry the traceback,
// and the client shows it in the page (the exception, the event that failed and its
// params, the traceback) until Escape or the close button. Without DEBUG the server
// sends a generic message and no traceback, and nothing is shown. All text is set
// with textContent: nothing from the server is parsed as HTML.

const ID = "djust-error-overlay";

const STYLE =
  "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:24px;" +
  "background:rgba(24,24,27,.92);color:#fafafa;font:14px/1.5 ui-monospace,monospace";

/**
 * Show (or replace) the overlay for an error reply.
 *
 * @param {Document} doc
 * @param {{code?: string, message?: string, traceback?: string}} error the reply
 * @param {{type?: string, name?: string, field?: string, url?: string, params?: object}} [sent]
 *   the message that failed, when known
 * @returns {HTMLElement} the overlay
 */
export function showOverlay(doc, error, sent) {
  dismissOverlay(doc);
  const box = doc.createElement("div");
  box.id = ID;
  box.setAttribute("role", "alertdialog");
  box.setAttribute("aria-modal", "true");
  box.setAttribute("aria-label", "djust: server error");
  box.style.cssText = STYLE;
  const add = (tag, text, css) => {
    const el = doc.createElement(tag);
    el.textContent = text;
    if (css) el.style.cssText = css;
    box.append(el);
    return el;
  };
  const close = add("button", "Close (Esc)", "float:right;font:inherit;cursor:pointer");
  close.type = "button";
  close.addEventListener("click", () => dismissOverlay(doc));
  add("h2", `djust: ${error.code || "error"}`, "margin:0 0 8px;font-size:18px;color:#f87171");
  add("p", error.message || "", "white-space:pre-wrap;font-weight:bold");
  if (sent) {
    const what = sent.type === "event" ? `event "${sent.name}"` : sent.type === "model" ? `dj-model "${sent.field}"` : sent.type;
    const detail = sent.params !== undefined ? sent.params : sent.url !== undefined ? { url: sent.url } : { value: sent.value };
    add("p", `${what} ${JSON.stringify(detail)}`, "color:#a1a1aa");
  }
  add("pre", error.traceback || "", "white-space:pre-wrap;margin:16px 0 0");
  doc.body.append(box);
  close.focus();
  return box;
}

/** Remove the overlay if it is shown. */
export function dismissOverlay(doc) {
  const box = doc.getElementById(ID);
  if (box) box.remove();
}

/** Close the overlay on Escape (installed once per document). */
export function listenForEscape(doc) {
  if (doc.__djustOverlayKeys) return;
  doc.__djustOverlayKeys = true;
  doc.addEventListener("keydown", (e) => {
    if (e.key === "Escape") dismissOverlay(doc);
  });
}
