"""File uploads over the LiveView socket (Phoenix LiveView's ``allow_upload`` /
``consume_uploaded_entries``; upstream djust's names).

In ``mount``, ``self.allow_upload("photos", accept=[".jpg", ".png", "image/*"],
max_entries=3, max_file_size=5_000_000)``; in the template an ``<input type="file"
dj-upload="photos" multiple>`` and, to show them, ``view.uploads.photos.entries`` (each
with ``name``, ``size``, ``type``, ``progress`` 0–100, ``done``, ``errors``). The flow:

1. When files are chosen the client sends ``{"type": "upload", "name": "photos",
   "entries": [{"id": "0", "name": "a.jpg", "size": 1234, "type": "image/jpeg"}]}``.
   The server checks each entry against the configuration *before anything is
   stored*: the number of entries, the size, the type (the extension and the declared
   MIME type against ``accept``). The reply is a patch (the entries show, with their
   errors) and ``"upload": {"name", "accepted": [ids], "chunk": bytes}``.
2. The client sends each accepted file in binary frames of at most ``chunk`` bytes:
   a 2-byte big-endian header length, a JSON header ``{"view_id"?, "name", "id",
   "offset"}``, then the bytes. Each chunk must start where the last ended and may not
   go past the declared size; it is written to a temporary file and answered with a
   patch (the progress) and ``"upload": {"name", "id", "received"}``.
3. A handler (usually the form's ``dj-submit``) calls
   ``self.consume_uploaded_entries("photos", fn)``: ``fn(path, entry)`` for each
   complete entry (move or read the file; it is deleted afterwards), its results
   returned in a list.

Limits: a frame is at most ``DJUST["MAX_MESSAGE_SIZE"]`` (so ``chunk_size`` is capped
below it); an entry at most ``max_file_size``; at most ``max_entries`` entries. The
temporary files go away with the consumed entry, a cancelled one, or the socket.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class UploadError(ValueError):
    """A message about uploads the server refuses (its text goes to the client)."""


@dataclass
class Entry:
    """One file of an upload: what the client declared and what arrived."""

    id: str
    name: str
    size: int
    type: str
    errors: list[str] = field(default_factory=list)
    received: int = 0
    path: str | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def done(self) -> bool:
        return self.valid and self.received == self.size

    @property
    def progress(self) -> int:
        """Percent received, 0–100."""
        return 100 if self.size == 0 else self.received * 100 // self.size


@dataclass
class Upload:
    """An ``allow_upload`` configuration and its current entries."""

    name: str
    accept: list[str]
    max_entries: int
    max_file_size: int
    chunk_size: int
    entries: list[Entry] = field(default_factory=list)
    directory: str | None = None
    #: Errors of the upload as a whole (too many files).
    errors: list[str] = field(default_factory=list)

    def accepts(self, name: str, mime: str) -> bool:
        """Whether a file named ``name`` declared as ``mime`` is of an accepted type:
        ``.ext`` patterns match the extension, ``type/*`` and ``type/sub`` the MIME type.
        An empty ``accept`` takes any type."""
        if not self.accept:
            return True
        ext = os.path.splitext(name)[1].lower()
        mime = mime.lower()
        for pattern in self.accept:
            p = pattern.lower()
            if (p.startswith(".") and ext == p) or (p.endswith("/*") and mime.startswith(p[:-1])) or mime == p:
                return True
        return False

    def entry(self, entry_id: Any) -> Entry:
        for e in self.entries:
            if e.id == entry_id:
                return e
        raise UploadError(f"upload {self.name!r} has no entry {entry_id!r}")

    def clear(self, entries: list[Entry] | None = None) -> None:
        """Forget ``entries`` (all by default) and delete their files."""
        gone = self.entries if entries is None else entries
        for e in gone:
            if e.path and os.path.exists(e.path):
                os.remove(e.path)
        self.entries = [e for e in self.entries if e not in gone]
        if not self.entries and self.directory:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None


def configure(
    view: Any, name: str, accept: Any, max_entries: int, max_file_size: int, chunk_size: int, message_limit: int
) -> Upload:
    """Check and record ``view.allow_upload(...)``."""
    if not isinstance(name, str) or not name.isidentifier():
        raise TypeError(f"allow_upload: the name must be an identifier, not {name!r}")
    if isinstance(accept, str):
        accept = [a.strip() for a in accept.split(",") if a.strip()]
    if not isinstance(accept, (list, tuple)) or not all(isinstance(a, str) for a in accept):
        raise TypeError("allow_upload: accept is a list of '.ext' or MIME patterns (or a comma-separated string)")
    for label, value in (("max_entries", max_entries), ("max_file_size", max_file_size), ("chunk_size", chunk_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise TypeError(f"allow_upload: {label} must be a positive integer, not {value!r}")
    # A chunk and its header fit in one WebSocket message.
    chunk_size = min(chunk_size, max(1024, message_limit - 1024))
    upload = Upload(name, list(accept), max_entries, max_file_size, chunk_size)
    view.__dict__.setdefault("_djust_uploads", {})[name] = upload
    return upload


def uploads_of(view: Any) -> dict[str, Upload]:
    return view.__dict__.get("_djust_uploads", {})


def get(view: Any, name: Any) -> Upload:
    upload = uploads_of(view).get(name) if isinstance(name, str) else None
    if upload is None:
        raise UploadError(f"{type(view).__name__} allows no upload named {str(name)[:60]!r}")
    return upload


def start(view: Any, name: Any, entries: Any) -> dict[str, Any]:
    """The client chose files: check them, keep the entries; the reply's ``upload``."""
    upload = get(view, name)
    if not isinstance(entries, list) or len(entries) > 1000:
        raise UploadError("an upload's entries are a list of {id, name, size, type}")
    upload.clear()
    upload.errors.clear()
    for raw in entries:
        if not isinstance(raw, dict):
            raise UploadError("an upload entry is an object {id, name, size, type}")
        entry_id, fname, size, mime = raw.get("id"), raw.get("name"), raw.get("size"), raw.get("type", "")
        if not isinstance(entry_id, str) or not isinstance(fname, str) or not isinstance(mime, str):
            raise UploadError("an upload entry needs a string id, name and type")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise UploadError("an upload entry's size is a non-negative integer")
        entry = Entry(id=entry_id[:64], name=os.path.basename(fname)[:255], size=size, type=mime[:127])
        if size > upload.max_file_size:
            entry.errors.append(f"too large: {size} bytes (at most {upload.max_file_size})")
        if not upload.accepts(entry.name, entry.type):
            entry.errors.append(f"not an accepted type ({', '.join(upload.accept)})")
        upload.entries.append(entry)
    if len(upload.entries) > upload.max_entries:
        upload.errors.append(f"too many files: {len(upload.entries)} (at most {upload.max_entries})")
        for entry in upload.entries[upload.max_entries :]:
            entry.errors.append("too many files")
    accepted = [e.id for e in upload.entries if e.valid]
    return {"name": upload.name, "accepted": accepted, "chunk": upload.chunk_size}


def chunk(view: Any, header: dict[str, Any], data: bytes) -> dict[str, Any]:
    """A binary chunk for an accepted entry: stored; the reply's ``upload``."""
    upload = get(view, header.get("name"))
    entry = upload.entry(header.get("id"))
    if not entry.valid:
        raise UploadError(f"entry {entry.id!r} of upload {upload.name!r} was refused: {'; '.join(entry.errors)}")
    offset = header.get("offset")
    if offset != entry.received:
        raise UploadError(f"chunk at offset {offset!r}: {entry.received} bytes of {entry.name!r} arrived so far")
    if len(data) > upload.chunk_size:
        raise UploadError(f"a chunk is at most {upload.chunk_size} bytes, not {len(data)}")
    if entry.received + len(data) > entry.size:
        raise UploadError(f"{entry.name!r} is longer than the {entry.size} bytes declared")
    if upload.directory is None:
        upload.directory = tempfile.mkdtemp(prefix="djust-upload-")
    if entry.path is None:
        fd, entry.path = tempfile.mkstemp(dir=upload.directory, suffix=os.path.splitext(entry.name)[1][:16])
        os.close(fd)
    with open(entry.path, "ab") as f:
        f.write(data)
    entry.received += len(data)
    return {"name": upload.name, "id": entry.id, "received": entry.received}


def consume(view: Any, name: str, func: Callable[[str, Entry], Any]) -> list[Any]:
    """``consume_uploaded_entries``: ``func(path, entry)`` for each complete entry; the
    entries and their files are gone afterwards (also when ``func`` raises)."""
    upload = get(view, name)
    done = [e for e in upload.entries if e.done]
    try:
        return [func(e.path or "", e) for e in done]
    finally:
        upload.clear(done)


def discard_all(view: Any) -> None:
    """The view is going away: delete every upload's files."""
    for upload in uploads_of(view).values():
        upload.clear()


def parse_frame(frame: bytes) -> tuple[dict[str, Any], bytes]:
    """A binary upload frame: ``(header, data)``; :class:`UploadError` when malformed."""
    if len(frame) < 2:
        raise UploadError("a binary frame starts with its header's length (2 bytes)")
    size = int.from_bytes(frame[:2], "big")
    if size == 0 or size > 1024 or len(frame) < 2 + size:
        raise UploadError("a binary frame's header is 1 to 1024 bytes of JSON")
    try:
        header = json.loads(frame[2 : 2 + size].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise UploadError("a binary frame's header is not JSON") from exc
    if not isinstance(header, dict):
        raise UploadError("a binary frame's header is a JSON object")
    return header, frame[2 + size :]
