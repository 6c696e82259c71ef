"""Demo data for ``make run`` and the test-suite (never under production settings)."""
