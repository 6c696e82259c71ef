"""The trial protocol as declarative data, declared once. Code reads it; no magic numbers elsewhere.

Pure Python (no Django import) so it can be reviewed in a diff and tested alone.
"""

from trial.protocol.strongback import PROTOCOL

__all__ = ["PROTOCOL"]
