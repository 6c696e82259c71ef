"""``make run``: the embedded demo, served as production serves (``DEBUG`` off, so a mistyped URL
gets the friendly 404 page, not Django's URL list), with static files from WhiteNoise."""

from .base import *  # noqa: F403
from .base import MIDDLEWARE, env

DEBUG = False
TRIAL_DEMO = True
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
# Served straight from the app and project folders: no collectstatic step for the demo.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# No worker in the embedded demo: uploads are processed on a background thread, so the page
# answers at once and shows the progress (trial.dispatch).
EMBEDDED_TASKS_IN_BACKGROUND = env.bool("EMBEDDED_TASKS_IN_BACKGROUND", default=True)
