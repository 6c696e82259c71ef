"""Test-suite settings: the base configuration with a fast password hasher.

With ``CI=true`` the suite must run on PostgreSQL and Redis (``tests/conftest.py`` refuses
otherwise).
"""

from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, env

# A fast hasher keeps login-heavy tests quick; the production hashers are unchanged.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TRIAL_DEMO = True
CI = env.bool("CI", default=False)
# Live-server request threads must not keep connections open past the test (persistent
# connections would block dropping the test database).
DATABASES["default"]["CONN_MAX_AGE"] = 0
# Files written by tests (and by the workers they start) never mix with the demo's, nor with
# those of another pytest-xdist worker (each has its own test database, so its own row ids).
_XDIST_WORKER = env.str("PYTEST_XDIST_WORKER", default="")
MEDIA_ROOT = env.path(
    "MEDIA_ROOT", default=BASE_DIR / "var" / "-".join(filter(None, ["test-media", _XDIST_WORKER]))
)
AUDIT_ANCHOR_DIR = env.path("AUDIT_ANCHOR_DIR", default=Path(MEDIA_ROOT) / "audit")
INTERVIEW_AUDIO_DIR = Path(MEDIA_ROOT) / "interview-audio"
