"""Settings modules: ``base`` (from the environment), ``demo``, ``test`` and ``production``."""
