"""Developer tooling: the launcher behind ``./dev`` and ``.ci/run``."""
