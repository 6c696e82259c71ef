"""Imaging: DICOM ingestion, series selection, volumes, levels, muscle metrics, QC, write-back.

The packages below ``imaging`` that have no Django import (volume, dicom, metrics, selection, qc,
labels, io, cli) run from the command line without a database: ``python -m imaging measure``.
"""

# Recorded with every metric; bump when a change alters measured values.
CODE_VERSION = "imaging-1.0"
