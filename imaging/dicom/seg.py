"""DICOM SEG write-back (highdicom) and reading a corrected mask back onto the image grid.

The SEG is a new series in the source study, on the source frame of reference, referencing every
source instance, so PACS viewers overlay it. One segment per muscle and side, named from the label
table; laterality is a property-type modifier (SNOMED Right/Left).
"""

from __future__ import annotations

import numpy as np
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes
from pydicom.uid import generate_uid

from imaging.dicom.frames import frames_of
from imaging.dicom.stack import group_stacks
from imaging.errors import ImagingError
from imaging.labels import Label
from imaging.volume import Volume

MANUFACTURER = "STRONG-BACK EDC"
SEG_SERIES_DESCRIPTION = "STRONG-BACK paraspinal muscle segmentation"


def _property_type(label: Label):
    if label.muscle == "erector_spinae":
        return codes.SCT.ErectorSpinaeMuscle
    return codes.SCT.SkeletalMuscle


def write_segmentation(
    source: list[Dataset],
    labels_canonical: np.ndarray,
    image: Volume,
    table: tuple[Label, ...],
    *,
    algorithm: str,
    algorithm_version: str,
    manual: bool = False,
) -> Dataset:
    """A SEG for ``source`` (one stack) from labels on ``image``'s canonical grid."""
    import highdicom as hd

    stacks = group_stacks([f for ds in source for f in frames_of(ds)])
    if len(stacks) != 1:
        raise ImagingError(f"SEG needs one source stack, got {len(stacks)}")
    ordered = [frame.dataset for frame in stacks[0].frames]
    stacked = image.from_canonical(labels_canonical)  # (columns, rows, frames) in stack order
    present = [label for label in table if (stacked == label.value).any()]
    if not present:
        raise ImagingError("the label map is empty: nothing to write to a SEG")
    pixel_array = np.zeros((len(ordered), *stacked.shape[1::-1]), dtype=np.uint8)
    for number, label in enumerate(present, start=1):
        pixel_array[np.transpose(stacked == label.value, (2, 1, 0))] = number
    algorithm_id = hd.AlgorithmIdentificationSequence(
        name=algorithm, version=algorithm_version, family=codes.cid7162.ArtificialIntelligence
    )
    descriptions = [
        hd.seg.SegmentDescription(
            segment_number=number,
            segment_label=label.name.replace("_", " "),
            segmented_property_category=codes.SCT.Tissue,
            segmented_property_type=_property_type(label),
            algorithm_type=(
                hd.seg.SegmentAlgorithmTypeValues.MANUAL
                if manual
                else hd.seg.SegmentAlgorithmTypeValues.AUTOMATIC
            ),
            algorithm_identification=None if manual else algorithm_id,
            tracking_id=f"{label.muscle}:{label.side}:{label.value}",
            tracking_uid=generate_uid(),
        )
        for number, label in enumerate(present, start=1)
    ]
    first = ordered[0]
    seg = hd.seg.Segmentation(
        source_images=ordered,
        pixel_array=pixel_array,
        segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=descriptions,
        series_instance_uid=generate_uid(),
        series_number=int(first.get("SeriesNumber", 0) or 0) + 9000,
        sop_instance_uid=generate_uid(),
        instance_number=1,
        manufacturer=MANUFACTURER,
        manufacturer_model_name="STRONG-BACK imaging pipeline",
        software_versions=algorithm_version,
        device_serial_number="1",
        series_description=SEG_SERIES_DESCRIPTION,
        omit_empty_frames=False,
    )
    for item, label in zip(seg.SegmentSequence, present, strict=True):
        side = {"left": codes.SCT.Left, "right": codes.SCT.Right}.get(label.side)
        if side is not None:
            item.SegmentedPropertyTypeModifierCodeSequence = [
                hd.sr.CodedConcept(side.value, side.scheme_designator, side.meaning)
            ]
    return seg


def labels_from_segmentation(
    seg: Dataset, source: list[Dataset], image: Volume, table: tuple[Label, ...]
) -> np.ndarray:
    """A label map on ``image``'s canonical grid from a SEG drawn on ``source``.

    Segments are matched to the label table by tracking ID (ours) or segment label text."""
    import highdicom as hd

    segmentation = hd.seg.Segmentation.from_dataset(seg)
    stacks = group_stacks([f for ds in source for f in frames_of(ds)])
    ordered = [frame.dataset for frame in stacks[0].frames]
    by_name = {label.name.replace("_", " ").lower(): label for label in table}
    by_tracking = {f"{label.muscle}:{label.side}:{label.value}": label for label in table}
    stacked = np.zeros(image.shape, dtype=np.int32)
    for number in segmentation.segment_numbers:
        description = segmentation.get_segment_description(number)
        label = by_tracking.get(str(description.tracking_id or "")) or by_name.get(
            str(description.segment_label).lower()
        )
        if label is None:
            raise ImagingError(
                f"SEG segment {number} ({description.segment_label!r}) matches no label of the "
                "table"
            )
        try:
            masks = segmentation.get_pixels_by_source_instance(
                source_sop_instance_uids=[str(ds.SOPInstanceUID) for ds in ordered],
                segment_numbers=[number],
                combine_segments=False,
            )
        except (KeyError, ValueError, RuntimeError) as error:
            raise ImagingError(f"the SEG does not reference this series: {error}") from error
        present = np.transpose(masks[..., 0] > 0, (2, 1, 0))
        stacked[present] = label.value
    return image.with_array(stacked).canonical().array
