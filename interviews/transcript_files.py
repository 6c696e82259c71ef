"""Transcript files to plain text: ``.txt``, ``.docx``, ``.vtt`` and ``.srt``.

Subtitle cues keep their speaker and lose their timestamps (a verbatim transcript is read as
text). Every failure says what was wrong with the file, in words a researcher can act on.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

TRANSCRIPT_SUFFIXES = (".txt", ".docx", ".vtt", ".srt")


class TranscriptFileError(ValueError):
    """The file cannot be read as a transcript (the message says why)."""


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TranscriptFileError(
            f"The file is not UTF-8 text (byte {error.start} cannot be read); save it as UTF-8 "
            "and upload it again."
        ) from None


def _docx(data: bytes) -> str:
    import docx  # python-docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise TranscriptFileError(f"The file is not a Word (.docx) document ({error}).") from None
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:  # some transcribers put speaker | words in a table
        for row in table.rows:
            lines.append(": ".join(cell.text.strip() for cell in row.cells if cell.text.strip()))
    return "\n".join(lines)


def _captions(data: bytes, fmt: str) -> str:
    import webvtt
    from webvtt.errors import MalformedFileError

    try:
        captions = webvtt.from_buffer(io.BytesIO(data), format=fmt).captions
    except (MalformedFileError, UnicodeDecodeError, ValueError) as error:
        raise TranscriptFileError(
            f"The file is not a valid .{fmt} subtitle file ({error})."
        ) from None
    lines = []
    for caption in captions:
        words = " ".join(caption.text.split())
        lines.append(f"{caption.voice}: {words}" if caption.voice else words)
    return "\n".join(lines)


def read_transcript(name: str, data: bytes) -> str:
    """The transcript's text; raises ``TranscriptFileError`` for a file it cannot read."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in TRANSCRIPT_SUFFIXES:
        raise TranscriptFileError(
            f"{suffix or 'A file without a suffix'} is not a transcript format here; upload "
            f"{', '.join(TRANSCRIPT_SUFFIXES)}."
        )
    if b"\x00" in data and suffix != ".docx":
        raise TranscriptFileError("The file holds NUL bytes: it is not a text file.")
    if suffix == ".txt":
        text = _text(data)
    elif suffix == ".docx":
        text = _docx(data)
    else:
        _text(data)  # a clear message for a non-UTF-8 subtitle file
        text = _captions(data, suffix[1:])
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise TranscriptFileError("The transcript is empty.")
    return text
