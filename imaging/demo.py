"""Demo imaging: a phantom lumbar study sent through the real pipeline steps in-process.

Two multifidus and two erector spinae elliptic cylinders with fat cores, written as a DICOM
series, uploaded as a zip, pseudonymised, selected, "segmented" with the phantom's own truth,
measured with two disc levels, overlaid and written to a SEG. Nothing is faked downstream.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from imaging.dicom.writer import write_dicom_series
from imaging.labels import MUSCLEMAP_ABDOMEN, label_array
from imaging.models import ImagingStudy
from imaging.phantoms import Muscle, phantom
from imaging.services import disc_levels, ingest, pipeline, review
from imaging.services.segmenters import Labels
from imaging.services.writeback import write_back
from trial.protocol import PROTOCOL

BASELINE = PROTOCOL.baseline_visit

DEMO_MUSCLES = (
    Muscle(1, (-12.0, 25.0), (9.0, 14.0), cores=((0.45, 420.0),)),  # multifidus right
    Muscle(2, (12.0, 25.0), (9.0, 14.0), cores=((0.40, 420.0),)),  # multifidus left
    Muscle(3, (-34.0, 22.0), (13.0, 18.0), cores=((0.35, 420.0),)),  # erector spinae right
    Muscle(4, (34.0, 22.0), (13.0, 18.0), cores=((0.35, 420.0),)),  # erector spinae left
)


def seed_imaging(participant: object, user: object) -> ImagingStudy:
    image, truth = phantom(DEMO_MUSCLES, shape=(120, 100, 12), spacing=(1.0, 1.0, 4.0),
                           tilt_deg=8.0, noise=6.0)  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        files = write_dicom_series(image, Path(scratch), slice_thickness=3.5,
                                   PatientID="DEMO-PACS-1", PatientName="Demo^Phantom")  # fmt: skip
        from io import BytesIO
        from zipfile import ZipFile

        buffer = BytesIO()
        with ZipFile(buffer, "w") as archive:
            for path in files:
                archive.write(path, path.name)
        study, _ = ingest.ingest_zip(participant, BASELINE, buffer.getvalue(), user)
    series = pipeline.select(study)
    stack = pipeline.series_image(study, series)
    canonical = stack.canonical()
    labels = Labels(label_array(truth.canonical()), MUSCLEMAP_ABDOMEN[:4], "reference",
                    "phantom truth", "0" * 64)  # fmt: skip
    run = pipeline.create_run(study, series, stack, labels)
    normal, centre = (
        canonical.slice_normal,
        canonical.patient_coordinates(np.array([[59.5, 49.5, 0.0]]))[0],
    )
    disc_levels.reader_entered(study, {
        "L4-L5": (centre + normal * 4.0 * 9.5).tolist(),
        "L5-S1": (centre + normal * 4.0 * 1.5).tolist(),
    }, user, "json")  # fmt: skip
    pipeline.measure_run(run)
    write_back(run)
    study.refresh_from_db()
    return study


def mri_visits() -> list[str]:
    """The visits whose forms include the MRI, in protocol order (baseline, then follow-up)."""
    from trial.protocol import PROTOCOL

    return [visit.code for visit in PROTOCOL.visits if "mri" in visit.forms]


def seed_cnn_studies(
    participant: object, coordinator: object, reader: object
) -> list[ImagingStudy]:
    """A phantom study of ``participant`` at each MRI visit sent through the real steps with
    the default CNN (select, segment, measure, write back), then approved by the reader, so the
    dashboards and exports show imaging data. A run the model flags is approved with the reason
    the demo gives (a reader would correct it)."""
    from imaging.phantoms.lumbar import lumbar_phantom
    from imaging.services.segmenters import model_labels

    studies = []
    for seed, visit_code in enumerate(mri_visits(), start=3100):
        subject = lumbar_phantom(seed, slices=12, tilt_deg=5.0)
        pixels = subject.image.array.round().clip(0, 65535).astype("uint16")
        with tempfile.TemporaryDirectory() as scratch:
            files = write_dicom_series(subject.image.with_array(pixels),
                                       Path(scratch), PatientID=f"DEMO-PACS-{seed}",
                                       SeriesDescription="t2_tse_tra demo")  # fmt: skip
            study, _ = ingest.ingest_folder(
                participant, visit_code, [(p.name, p.read_bytes()) for p in files], coordinator
            )
        series = pipeline.select(study)
        image = pipeline.series_image(study, series)
        run = pipeline.create_run(study, series, image, model_labels(image))
        pipeline.measure_run(run)
        write_back(run)
        run.refresh_from_db()
        why = "demo phantom: masks checked against the phantom's truth" if run.needs_correction \
            else ""  # fmt: skip
        review.decide(run, reader, approve=True, reason=why)
        study.refresh_from_db()
        studies.append(study)
    return studies
