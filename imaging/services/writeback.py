"""Write-back: a DICOM SEG of the run's labels.

For a PACS study the SEG is built on the PACS's own instances of the series (retrieved again by
WADO-RS, used only to reference them), so it joins the original study and frame of reference and
radiology viewers overlay it; it is stored with STOW-RS. For an upload the SEG references the
pseudonymised copy and is kept with the run.
"""

from __future__ import annotations

from django.conf import settings

from imaging import CODE_VERSION
from imaging.dicom.frames import read_datasets
from imaging.dicom.seg import write_segmentation
from imaging.io import volume_from_datasets
from imaging.models import ImagingSource, SegmentationRun
from imaging.pacs.orthanc import OrthancClient
from imaging.services.pipeline import run_labels, run_table
from imaging.services.storage import run_folder, series_folder


def orthanc_client() -> OrthancClient:
    return OrthancClient(settings.ORTHANC_URL, settings.ORTHANC_USERNAME, settings.ORTHANC_PASSWORD)


def write_back(run: SegmentationRun) -> str:
    """Build and store the SEG; returns its series UID ("" for NIfTI studies, which have none)."""
    study = run.study
    if study.source == ImagingSource.NIFTI:
        return ""
    pacs = study.source == ImagingSource.ORTHANC and settings.ORTHANC_URL
    if pacs:
        client = orthanc_client()
        source = client.retrieve_series(study.pacs_study_uid, run.series.pacs_series_uid)
    else:
        source = read_datasets(sorted(series_folder(study, run.series).glob("*.dcm")))
    image = volume_from_datasets(source, [str(ds.SOPInstanceUID) for ds in source])
    labels = run_labels(run).canonical().array
    seg = write_segmentation(
        source, labels, image, run_table(run),
        algorithm=run.model_name or run.label_source, algorithm_version=CODE_VERSION,
        manual=run.label_source == "upload",
    )  # fmt: skip
    seg.save_as(run_folder(run) / "seg.dcm")
    if pacs:
        client.store([seg])
    run.seg_series_uid = str(seg.SeriesInstanceUID)
    run.seg_stored = bool(pacs)
    run.save(reason="SEG written" + (" and stored in the PACS" if pacs else ""))
    return run.seg_series_uid
