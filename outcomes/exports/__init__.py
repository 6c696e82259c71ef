"""Trial data exports: long, wide and codebook CSV, session log, adverse events and imaging
metrics, identified or de-identified, with or without the arm; every export is audited."""
