// A WebSocket double for the client's tests: records what the client sends; the test
// plays the server (`open()`, `reply(msg)`, `close()`).

export function socketClass() {
  const sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.sent = [];
      this.readyState = 0;
      sockets.push(this);
    }
    send(text) {
      this.sent.push(JSON.parse(text));
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
