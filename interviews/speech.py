"""A first-draft transcript from a WAV recording, offline, with PocketSphinx's bundled US English
model (the only speech-to-text model on the package registry that carries its own weights).

The draft is a starting point for the transcriber, never the verbatim transcript: its word error
rate on clear speech is high (see the closing note of the interviews issue). Only PCM WAV is
decoded here (MP3 and M4A would need ffmpeg); other formats are upload-only.
"""

from __future__ import annotations

import wave
from collections.abc import Iterable
from math import gcd
from typing import BinaryIO

import numpy as np

MODEL_RATE = 16000
SEGMENT_SECONDS = 20  # decoded in pieces so a 40-minute interview never sits in memory at once


class NotTranscribable(ValueError):
    """The recording is not a PCM WAV the draft transcriber can read."""


def _pieces(reader: wave.Wave_read) -> Iterable[np.ndarray]:
    rate, channels = reader.getframerate(), reader.getnchannels()
    if reader.getsampwidth() != 2:
        raise NotTranscribable("Only 16-bit PCM WAV recordings are transcribed automatically.")
    from scipy.signal import resample_poly

    step = gcd(MODEL_RATE, rate)
    while frames := reader.readframes(rate * SEGMENT_SECONDS):
        samples = np.frombuffer(frames, dtype="<i2").reshape(-1, channels).mean(axis=1)
        if rate != MODEL_RATE:
            samples = resample_poly(samples, MODEL_RATE // step, rate // step)
        yield np.clip(samples, -32768, 32767).astype("<i2")


def draft_transcript(wav: BinaryIO) -> str:
    """Recognised words, one line per piece of audio; raises ``NotTranscribable``."""
    from pocketsphinx import Decoder

    try:
        reader = wave.open(wav, "rb")  # noqa: SIM115 - closed by the with-block below
    except (wave.Error, EOFError) as error:
        raise NotTranscribable(f"Not a PCM WAV recording ({error}).") from None
    decoder = Decoder(samprate=MODEL_RATE, loglevel="FATAL")
    lines = []
    with reader:
        for piece in _pieces(reader):
            decoder.start_utt()
            decoder.process_raw(piece.tobytes(), full_utt=True)
            decoder.end_utt()
            hypothesis = decoder.hyp()
            if hypothesis is not None and hypothesis.hypstr.strip():
                lines.append(hypothesis.hypstr.strip())
    return "\n".join(lines)
