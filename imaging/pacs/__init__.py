"""Talking to the PACS: Orthanc's change feed (REST) and DICOMweb (QIDO-RS, WADO-RS, STOW-RS)."""
