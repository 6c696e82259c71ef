"""Interview audio encrypted at rest, in chunks, so a recording is never whole in memory.

Each recording has its own 256-bit data key (AES-GCM); the key is stored wrapped by the
field-encryption key, apart from the file. Destroying a recording deletes the file and the
wrapped key, so no copy of the file (a backup, a disk block) can be read again (crypto-shredding).

File layout: ``MAGIC``, an 8-byte random nonce prefix, then chunks of (4-byte big-endian length,
ciphertext with its tag). The nonce is the prefix and the chunk counter; the associated data says
whether a chunk is the last, so a truncated, reordered or spliced file fails to decrypt.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"SBAUDIO1"
CHUNK_BYTES = 1024 * 1024
_LENGTH = struct.Struct(">I")


class DamagedRecording(Exception):
    """The stored file is not a complete recording encrypted with this key."""


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _nonce(prefix: bytes, counter: int) -> bytes:
    return prefix + counter.to_bytes(4, "big")


def _tag(last: bool) -> bytes:
    return b"last" if last else b"more"


def encrypt_stream(source: BinaryIO, target: BinaryIO, key: bytes) -> tuple[str, int]:
    """Encrypt ``source`` into ``target``; returns the plain file's SHA-256 and size."""
    aead, prefix = AESGCM(key), os.urandom(8)
    digest, size, counter = hashlib.sha256(), 0, 0
    target.write(MAGIC + prefix)
    chunk = source.read(CHUNK_BYTES)
    while True:
        following = source.read(CHUNK_BYTES)
        last = not following
        digest.update(chunk)
        size += len(chunk)
        sealed = aead.encrypt(_nonce(prefix, counter), chunk, _tag(last))
        target.write(_LENGTH.pack(len(sealed)) + sealed)
        if last:
            return digest.hexdigest(), size
        chunk, counter = following, counter + 1


def decrypt_chunks(source: BinaryIO, key: bytes) -> Iterator[bytes]:
    """The plain bytes, chunk by chunk; raises ``DamagedRecording`` on any tampering."""
    head = source.read(len(MAGIC) + 8)
    if len(head) != len(MAGIC) + 8 or not head.startswith(MAGIC):
        raise DamagedRecording("not an encrypted interview recording")
    aead, prefix, counter = AESGCM(key), head[len(MAGIC) :], 0
    while True:
        length = source.read(_LENGTH.size)
        if len(length) != _LENGTH.size:
            raise DamagedRecording("the recording ends before its last chunk")
        sealed = source.read(_LENGTH.unpack(length)[0])
        for last in (False, True):
            try:
                plain = aead.decrypt(_nonce(prefix, counter), sealed, _tag(last))
            except InvalidTag:
                continue
            yield plain
            if last:
                if source.read(1):
                    raise DamagedRecording("bytes follow the last chunk")
                return
            break
        else:
            raise DamagedRecording(f"chunk {counter} fails its integrity check")
        counter += 1
