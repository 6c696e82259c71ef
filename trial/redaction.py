"""Messages fit for users: an error's text without server paths.

Error texts from libraries (nibabel, pydicom, the file system) carry the absolute path of the file
they failed on, often a temporary folder or the media root. A user needs the file's name, never
the server's layout, so every message shown on a page, stored for a page or sent by the API goes
through ``public_message``.
"""

from __future__ import annotations

import re

# An absolute POSIX path of two or more components (not part of a URL or a longer word).
_ABSOLUTE_PATH = re.compile(r"(?<![\w:/.~-])/(?:[\w.@+~-]+/)+([\w.@+~-]*)")
# A Windows path, for completeness (C:\folder\file).
_WINDOWS_PATH = re.compile(r"\b[A-Za-z]:\\(?:[^\\\s:]+\\)+([^\\\s:]*)")


def without_server_paths(text: str) -> str:
    """``text`` with every absolute path replaced by its last component (the file's name)."""
    text = _ABSOLUTE_PATH.sub(lambda m: m.group(1) or "(folder)", text)
    return _WINDOWS_PATH.sub(lambda m: m.group(1) or "(folder)", text)


def public_message(error: BaseException | str) -> str:
    return without_server_paths(str(error))
