"""DICOM ingestion, volumes, multifidus segmentation, metrics, QC and write-back."""
