"""Many bounces at once: an mbox of any size, streamed; .zip and .tar.gz archives of .eml files.

`mbox_messages(stream)` yields each message of an mbox (RFC 4155) as bytes, reading the file in
chunks, so a 10,000-message mbox costs the memory of its largest message and a chunk. `messages(name, data,
limits)` turns one upload into (name, bytes) items: the messages of an mbox, the members of an
archive, or the upload itself. Web limits (count, total bytes, compressed ratio) are stated in a
`Limits`; reaching one raises `BatchLimitError` naming it, or, for the count, stops with a note
that says so (`Batch.notes`): never silently. Pure Python, no Django.
"""
import io
import re
import tarfile
import zipfile
from dataclasses import dataclass, field

from . import parse, reasons
from .findings import BounceError
from .summary import Summary

# RFC 4155: a message starts with a line "From " (the envelope sender and a date) at the start of
# the file or after a blank line; a body line starting "From " is stored as ">From ".
_FROM = b"From "
# A blank line (LF or CRLF) before a "From " line: where the next message starts.
_MESSAGE_START = re.compile(rb"\n\r?\n(?=From )")
_LONGEST_BOUNDARY = len(b"\n\r\nFrom ")


class BatchLimitError(BounceError):
    """An upload larger than a stated limit; the message names the limit."""


@dataclass(frozen=True)
class Limits:
    max_messages: int = 1000
    max_bytes: int = 50 * 1024 * 1024       # all messages, uncompressed
    max_ratio: int = 100                     # uncompressed / compressed, per archive member


@dataclass
class Batch:
    """The messages of one or more uploads, and what was left out and why."""
    items: list = field(default_factory=list)   # (name, bytes)
    notes: list = field(default_factory=list)   # sentences for a person
    total: int = 0                               # bytes read so far

    def add(self, name, data, limits):
        if len(self.items) >= limits.max_messages:
            note = (f"Only the first {limits.max_messages:,} messages were analysed; "
                    f"the rest of the upload was left out (the limit per request).")
            if note not in self.notes:
                self.notes.append(note)
            return False
        self.total += len(data)
        if self.total > limits.max_bytes:
            raise BatchLimitError(f"The messages add up to more than {limits.max_bytes // (1024 * 1024)} MB "
                                  "once unpacked, more than one request may hold.")
        self.items.append((name, data))
        return True


def mbox_messages(stream, chunk_size=1 << 20):
    """Each message of an mbox file (a binary stream), as bytes with its "From " line.

    Read in chunks and split where a "From " line follows a blank line; a message
    keeps its blank last line, as a line-by-line reader would give it.
    """
    buffer, start, scan_from = bytearray(), 0, 0
    while chunk := stream.read(chunk_size):
        buffer += chunk
        for boundary in _MESSAGE_START.finditer(buffer, scan_from):
            yield bytes(buffer[start:boundary.end()])
            start = boundary.end()
        del buffer[:start]
        # A boundary may straddle two chunks: look again at the last few bytes.
        start, scan_from = 0, max(0, len(buffer) - _LONGEST_BOUNDARY)
    if buffer:
        yield bytes(buffer)


def is_mbox(data):
    """Bytes or text that start as an mbox file does."""
    return data.startswith(_FROM if isinstance(data, bytes) else _FROM.decode())


def is_archive(data):
    return data.startswith(b"PK\x03\x04") or data.startswith(b"\x1f\x8b")


def messages(name, data, limits=Limits(), batch=None):
    """A Batch holding the messages of one upload (added to `batch` when given)."""
    batch = batch if batch is not None else Batch()
    if data.startswith(b"PK\x03\x04"):
        _zip_members(name, data, limits, batch)
    elif data.startswith(b"\x1f\x8b"):
        _tar_members(name, data, limits, batch)
    elif is_mbox(data):
        for number, message in enumerate(mbox_messages(io.BytesIO(data)), 1):
            if not batch.add(f"{name} #{number}", message, limits):
                break
    else:
        batch.add(name, data, limits)
    return batch


def _zip_members(name, data, limits, batch):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise BounceError(f"{name} is no readable .zip archive.") from error
    # The sizes the archive declares are checked before anything is unpacked (a zip bomb declares
    # a huge size, or a ratio no real mail has); the read itself is bounded too.
    for member in members:
        if member.file_size > limits.max_ratio * max(member.compress_size, 1024):
            raise BatchLimitError(f"{member.filename} in {name} unpacks to {limits.max_ratio} times its "
                                  "packed size or more: refused without unpacking it.")
    if sum(m.file_size for m in members) + batch.total > limits.max_bytes:
        raise BatchLimitError(f"{name} unpacks to more than {limits.max_bytes // (1024 * 1024)} MB.")
    for member in members:
        with archive.open(member) as handle:
            body = handle.read(member.file_size + 1)
        if len(body) > member.file_size:
            raise BatchLimitError(f"{member.filename} in {name} is larger than the archive says.")
        if not _add_member(f"{name}/{member.filename}", body, limits, batch):
            return


def _tar_members(name, data, limits, batch):
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")
        for member in archive:
            if not member.isfile():
                continue
            if batch.total + member.size > limits.max_bytes:
                raise BatchLimitError(f"{name} unpacks to more than {limits.max_bytes // (1024 * 1024)} MB.")
            body = archive.extractfile(member).read(member.size)
            if not _add_member(f"{name}/{member.name}", body, limits, batch):
                return
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BounceError(f"{name} is no readable .tar.gz archive.") from error


def _add_member(name, body, limits, batch):
    """An archive member: a message, or an mbox of several."""
    if is_mbox(body):
        return all(batch.add(f"{name} #{n}", m, limits) for n, m in enumerate(mbox_messages(io.BytesIO(body)), 1))
    return batch.add(name, body, limits)


@dataclass
class Result:
    """What a Batch read: each bounce's Report, the messages that are none, and a Summary."""
    reports: list      # (name, Report)
    unreadable: list   # (name, the BounceError's message)
    summary: object
    notes: list


def read_all(batch):
    """Parse every message of a Batch (each item is one message); one unreadable message does
    not stop the others."""
    result = Result([], [], Summary(), list(batch.notes))
    with reasons.remembered():
        for name, data in batch.items:
            try:
                report = parse(data, one_message=True)
            except BounceError as error:
                result.unreadable.append((name, str(error)))
                result.summary.add_unreadable()
                continue
            result.reports.append((name, report))
            result.summary.add(report)
    return result
