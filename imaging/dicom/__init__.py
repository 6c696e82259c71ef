"""DICOM: reading frames, stacking volumes, pseudonymisation and segmentation objects."""
