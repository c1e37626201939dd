// The page's WebSocket (one per `dj-socket` URL), shared by its LiveViews: messages go
// out with their view's `view_id`, replies come back to the view they name, and a closed
// socket reconnects with exponential backoff, mounting every view again
// (docs/client.md, "Mount" and "Reconnect").

/** The wait before reconnect attempt `n` (0-based): exponential from 100 ms, at most
 * 10 s, with ±20% jitter so a restarted server is not hit by every tab at once. */
export function backoff(n, random = Math.random) {
  const base = Math.min(10000, 100 * 2 ** n);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * One WebSocket and the LiveViews of the page that share it: messages go out with their
 * view's `view_id` (none for the first) and replies come back to the view they name.
 * Reconnects with `backoff`, mounting every view again.
 */
export class Connection {
  /**
   * @param {string} url the socket's URL
   * @param {typeof WebSocket} WS the WebSocket class
   */
  constructor(url, WS) {
    this.url = url;
    this.WS = WS;
    this.views = new Map(); // view_id → LiveView
    this.retries = 0;
    this.closed = false;
    this.ws = null;
  }

  /** Add a view; the socket opens with the first one. */
  add(view) {
    this.views.set(view.id, view);
    if (!this.ws) this.connect();
    else if (this.open) view.mount();
  }

  get open() {
    return !!this.ws && this.ws.readyState === 1;
  }

  connect() {
    const ws = new this.WS(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.retries = 0;
      for (const view of this.views.values()) view.mount();
    };
    ws.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      const view = this.views.get(typeof msg.view_id === "string" ? msg.view_id : "") || this.views.values().next().value;
      if (view) view.receive(msg);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      for (const view of this.views.values()) view.disconnected();
      if (this.closed) return;
      setTimeout(() => this.connect(), backoff(this.retries++));
    };
  }

  send(text) {
    this.ws.send(text);
  }

  /** Close the socket for good (no reconnect). */
  close() {
    this.closed = true;
    if (this.ws) this.ws.close();
  }
}

