"""The audit chain's head, written outside the database so that a cut or rewritten tail shows.

The hash chain alone detects a changed row, but not a truncated tail (the shorter chain is still
valid) nor a chain recomputed end to end with the published algorithm. So the head of the chain
(last ``seq`` and its ``hash``) is appended, HMAC-signed, to a file in the media volume
(``AUDIT_ANCHOR_DIR``), at most every ``AUDIT_ANCHOR_INTERVAL`` seconds after an audited commit and
by the beat task. ``verify_audit`` checks the newest anchor against the rows: since each row's hash
covers every row before it, a matching hash at the anchored position proves the whole prefix; a
row missing there (a cut tail) or another hash there (a rewritten chain) is reported.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

ANCHOR_FILE = "chain-heads.jsonl"
_last_written: dict[str, float] = {}


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    written_at: str

    def signature(self, key: bytes) -> str:
        payload = json.dumps(asdict(self), sort_keys=True, separators=(",", ":")).encode()
        return hmac.new(key, payload, hashlib.sha256).hexdigest()


def _key() -> bytes:
    if settings.AUDIT_ANCHOR_KEY:
        return settings.AUDIT_ANCHOR_KEY.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"audit-anchor", hashlib.sha256).digest()


def anchor_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_DIR) / ANCHOR_FILE


def write_anchor(seal: bool = True) -> Anchor | None:
    """Append the current chain head (None when the trail is empty or unchanged); rows committed
    but not yet sealed are sealed first unless the caller has just done so."""
    from trial.audit.sequencer import seal_pending, sealed_head

    if seal:
        seal_pending()
    head = sealed_head()
    if head is None:
        return None
    latest = _parse(_last_line(anchor_path()), "last")
    if latest is not None and latest.seq == head[0]:
        return None
    anchor = Anchor(int(head[0]), str(head[1]), timezone.now().isoformat())
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({**asdict(anchor), "hmac": anchor.signature(_key())}) + "\n"
    with path.open("a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write(line)
    return anchor


def anchor_soon() -> None:
    """After an audited commit: write the head if this process has not for a while."""
    where = str(settings.AUDIT_ANCHOR_DIR)
    now = time.monotonic()
    if now - _last_written.get(where, -1e9) < settings.AUDIT_ANCHOR_INTERVAL:
        return
    _last_written[where] = now
    write_anchor(seal=False)


class AnchorTampered(ValueError):
    """A line of the anchor file does not carry a valid signature."""


def _last_line(path: Path) -> str:
    if not path.exists():
        return ""
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 4096))
        lines = handle.read().decode("utf-8", errors="replace").strip().splitlines()
    return lines[-1] if lines else ""


def _parse(line: str, where: str) -> Anchor | None:
    if not line.strip():
        return None
    try:
        data = json.loads(line)
        anchor = Anchor(int(data["seq"]), str(data["hash"]), str(data["written_at"]))
        signature = str(data["hmac"])
    except (ValueError, KeyError, TypeError) as error:
        raise AnchorTampered(f"the {where} line of {ANCHOR_FILE} is not an anchor") from error
    if not hmac.compare_digest(signature, anchor.signature(_key())):
        raise AnchorTampered(f"the {where} line of {ANCHOR_FILE} has an invalid signature")
    return anchor


def latest_anchor() -> Anchor | None:
    """The newest anchor (AnchorTampered when its signature does not verify)."""
    return _parse(_last_line(anchor_path()), "last")


def anchor_problem(anchor: Anchor, head_seq: int) -> str | None:
    """What is wrong with the stored trail, whose last sealed row is ``head_seq``, against
    ``anchor`` (None when they agree): the one check ``verify_audit`` and the audit page share."""
    from trial.models.audit import AuditEntry

    stored = AuditEntry.objects.filter(seq=anchor.seq).values_list("hash", flat=True).first()
    return check_anchor(stored, head_seq, anchor)


def check_anchor(stored_hash: str | None, last_seq: int, anchor: Anchor) -> str | None:
    """What is wrong with the rows against ``anchor`` (None when they agree): ``stored_hash`` is
    the hash stored now at the anchored seq (None when that row is gone)."""
    if anchor.seq > last_seq:
        return (
            f"the trail ends at seq {last_seq}, but on {anchor.written_at} it reached seq "
            f"{anchor.seq}: rows were removed from its end"
        )
    if stored_hash is None:
        return f"seq {anchor.seq}, anchored on {anchor.written_at}, is missing"
    if stored_hash != anchor.hash:
        return (
            f"seq {anchor.seq} has another hash than the one anchored on {anchor.written_at}: "
            "the chain was rewritten"
        )
    return None
