// The entry point of the static file `djust/client.js`: starts the client on the
// page's LiveViews once the document is parsed, and exposes it as `window.djust`.

import { start, LiveView } from "./client.js";
import { applyPatches } from "./patch.js";

const api = { start, LiveView, applyPatches, views: [] };
window.djust = api;

function boot() {
  api.views = start(document);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
