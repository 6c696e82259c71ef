"""``make run``: the embedded demo. DEBUG is on here and nowhere else."""

from .base import *  # noqa: F403

DEBUG = True
TRIAL_DEMO = True
