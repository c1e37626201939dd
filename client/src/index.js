// The entry point of the static file `djust/client.js`: starts the client on the
// page's LiveViews once the document is parsed, and exposes it as `window.djust`
// (keeping what the page put there first, such as `window.djust.hooks`).

import { start, LiveView } from "./client.js";
import { applyPatches } from "./patch.js";

const api = Object.assign(window.djust || {}, { start, LiveView, applyPatches, views: [] });
api.hooks = api.hooks || {};
/** `callback(payload)` for each `push_event(name, payload)` of every LiveView on the
 * page (from their `djust:push_event` DOM events, so it may be called before the views
 * start); returns a function that stops it. */
api.handleEvent = (name, callback) => {
  const listener = (e) => e.detail.event === name && callback(e.detail.payload);
  window.addEventListener("djust:push_event", listener);
  return () => window.removeEventListener("djust:push_event", listener);
};
window.djust = api;

function boot() {
  api.views = start(document);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
