// A WebSocket double for the client's tests: records what the client sends; the test
// plays the server (`open()`, `reply(msg)`, `close()`). Text frames are recorded as
// parsed JSON, binary ones as `binary(frame)` makes them (the frame itself by default).

export function socketClass({ binary = (frame) => frame } = {}) {
  const sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.sent = [];
      this.readyState = 0;
      sockets.push(this);
    }
    send(data) {
      this.sent.push(typeof data === "string" ? JSON.parse(data) : binary(data));
    }
    open() {
      this.readyState = 1;
      this.onopen();
    }
    reply(msg) {
      this.onmessage({ data: JSON.stringify(msg) });
    }
    close() {
      this.readyState = 3;
      this.onclose();
    }
  }
  return { FakeSocket, sockets };
}
