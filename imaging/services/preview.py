"""The canonical volume of a study's chosen series, kept for the disc picker's slice images.

The picker asks for one PNG per slider step; rebuilding the stack from DICOM for each would read
every file every time. Stored series never change once ingested, so a small per-process cache keyed
by where the series is stored and its instance count is safe.
"""

from __future__ import annotations

from functools import lru_cache

from imaging.models import ImagingSeries, ImagingStudy
from imaging.services.storage import series_folder
from imaging.volume import Volume


def canonical_image(study: ImagingStudy, series: ImagingSeries) -> Volume:
    where = str(series_folder(study, series))
    return _cached(study.pk, series.pk, where, series.instances)


@lru_cache(maxsize=4)
def _cached(study_pk: int, series_pk: int, where: str, instances: int) -> Volume:
    from imaging.services.pipeline import series_image

    study = ImagingStudy.objects.get(pk=study_pk)
    return series_image(study, study.series.get(pk=series_pk)).canonical()
