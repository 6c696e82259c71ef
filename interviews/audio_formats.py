"""Which audio files an interview recording may be, told from the bytes, not the name."""

from __future__ import annotations

import io
import wave

# kind -> (file suffixes, content type served to the player)
AUDIO_KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "wav": ((".wav",), "audio/wav"),
    "mp3": ((".mp3",), "audio/mpeg"),
    "m4a": ((".m4a", ".mp4"), "audio/mp4"),
}


def sniff_audio(head: bytes) -> str | None:
    """'wav', 'mp3' or 'm4a' from the first bytes of a file, None for anything else."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head[4:8] == b"ftyp":
        return "m4a"
    return None


def wav_seconds(head_and_more: bytes) -> float | None:
    """Duration of a PCM WAV from its header (None when the header cannot be read)."""
    try:
        with wave.open(io.BytesIO(head_and_more)) as reader:
            return reader.getnframes() / reader.getframerate()
    except (wave.Error, EOFError, ZeroDivisionError):
        return None
