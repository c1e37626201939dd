// dj-upload: `<input type="file" dj-upload="photos">` sends its files to the LiveView's
// `allow_upload("photos", ...)` over the socket (python/djust/uploads.py). When files are
// chosen the client announces them (`{"type": "upload", "name", "entries"}`); the reply
// says which the server accepted and the chunk size; each accepted file then goes in
// binary frames — a 2-byte big-endian header length, a JSON header `{name, id, offset,
// ref, view_id?}`, the bytes — one at a time, each answered with the progress. The root
// dispatches `djust:upload-progress` ({name, id, received, size}) after each chunk.

/** The binary frame of one chunk. */
export function chunkFrame(header, data) {
  const head = new TextEncoder().encode(JSON.stringify(header));
  const frame = new Uint8Array(2 + head.length + data.byteLength);
  frame[0] = head.length >> 8;
  frame[1] = head.length & 255;
  frame.set(head, 2);
  frame.set(new Uint8Array(data), 2 + head.length);
  return frame.buffer;
}

/**
 * Announce `input`'s files and send the accepted ones in chunks.
 *
 * @param {object} view the LiveView (`send`, `sendChunk`, `emit`)
 * @param {HTMLInputElement} input the `dj-upload` file input
 * @returns {Promise<object>} the last reply (an `error` stops the upload)
 */
export async function upload(view, input) {
  const name = input.getAttribute("dj-upload");
  const files = [...(input.files || [])];
  const entries = files.map((f, i) => ({ id: String(i), name: f.name, size: f.size, type: f.type }));
  let reply = await view.send({ type: "upload", name, entries }, input);
  if (reply.type !== "patch" || !reply.upload) return reply;
  const { accepted, chunk } = reply.upload;
  for (const id of accepted) {
    const file = files[Number(id)];
    let offset = 0;
    do {
      const data = await file.slice(offset, offset + chunk).arrayBuffer();
      reply = await view.sendChunk({ name, id, offset }, data);
      if (reply.type !== "patch") return reply;
      offset += data.byteLength;
      view.emit("upload-progress", { name, id, received: offset, size: file.size });
    } while (offset < file.size);
  }
  return reply;
}
