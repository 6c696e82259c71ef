"""The analysis dataset in the statistician's formats, each carrying its labels: CSV with an R
script that sets factors and variable labels, Stata ``.dta`` and SPSS ``.sav`` (pyreadstat) with
variable and value labels taken from the dataset's derivations."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyreadstat
from django.utils.translation import gettext_lazy as _

from outcomes.analysis.dataset import AnalysisData
from trial.csv_safety import SafeWriter
from trial.protocol import PROTOCOL

YES_NO = {0: "no", 1: "yes"}
MAX_NAME = 32  # Stata's limit; every format uses the same names


def value_labels(frame: pd.DataFrame, dummy: bool) -> dict[str, dict[int, str]]:
    arms = (
        ("dummy arm A", "dummy arm B")
        if dummy
        else (PROTOCOL.arms[0].label, PROTOCOL.arms[1].label)
    )
    labels = {
        "arm_experimental": {1: arms[0], 0: arms[1]},
        "stratum_high": {1: PROTOCOL.stratification.high, 0: PROTOCOL.stratification.low},
        "endpoint_in_window": YES_NO,
        "mis_stratified": YES_NO,
    }
    labels.update({c: YES_NO for c in frame.columns if c.startswith("in_")})
    return {k: v for k, v in labels.items() if k in frame.columns}


def _numeric_frame(data: AnalysisData) -> pd.DataFrame:
    """Booleans as 0/1, text as text, everything else as float (Stata and SPSS need types)."""
    frame = data.frame.copy()
    too_long = [c for c in frame.columns if len(c) > MAX_NAME]
    if too_long:
        raise ValueError(f"Column names over {MAX_NAME} characters: {too_long}")
    for column in frame.columns:
        series = frame[column]
        if column in {
            "study_id",
            "arm",
            "stratum",
            "endpoint_verification",
            "data_use",
            "blinding_guess",
        }:
            frame[column] = series.fillna("").astype(str)
        else:
            frame[column] = pd.to_numeric(series.map(_number), errors="raise").astype(float)
    return frame


def _number(value: object) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return float(value)
    return float(value)  # type: ignore[arg-type]


def _column_labels(data: AnalysisData, frame: pd.DataFrame) -> list[str]:
    return [data.derivations.get(c, c)[:80] for c in frame.columns]


def csv_bytes(data: AnalysisData) -> bytes:
    buffer = io.StringIO()
    writer = SafeWriter(buffer, lineterminator="\n")
    frame = _numeric_frame(data)
    writer.writerow(list(frame.columns))
    for row in frame.itertuples(index=False):
        writer.writerow(
            ["" if pd.isna(v) else (repr(v) if isinstance(v, float) else v) for v in row]
        )
    return buffer.getvalue().encode()


def codebook_bytes(data: AnalysisData) -> bytes:
    """One row per column: its derivation, type and value labels (the same for every format)."""
    frame = _numeric_frame(data)
    buffer = io.StringIO()
    writer = SafeWriter(buffer, lineterminator="\n")
    writer.writerow(["column", "derivation", "type", "value_labels"])
    labels = value_labels(frame, data.dummy)
    for column in frame.columns:
        kind = "text" if frame[column].dtype == object else "number"
        coded = "; ".join(f"{k} = {v}" for k, v in labels.get(column, {}).items())
        writer.writerow([column, data.derivations.get(column, column), kind, coded])
    return buffer.getvalue().encode()


def _write(data: AnalysisData, suffix: str) -> bytes:
    frame = _numeric_frame(data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"analysis.{suffix}"
        writer = pyreadstat.write_dta if suffix == "dta" else pyreadstat.write_sav
        kwargs = {"version": 15} if suffix == "dta" else {}
        writer(
            frame,
            str(path),
            column_labels=_column_labels(data, frame),
            variable_value_labels=value_labels(frame, data.dummy),
            **kwargs,
        )
        return path.read_bytes()


def dta_bytes(data: AnalysisData) -> bytes:
    return _write(data, "dta")


def sav_bytes(data: AnalysisData) -> bytes:
    return _write(data, "sav")


def r_script(data: AnalysisData, csv_name: str = "strongback-analysis.csv") -> bytes:
    """Reads the CSV, sets the factors (with their levels' labels) and each variable's label."""
    frame = _numeric_frame(data)
    lines = [
        "# STRONG-BACK analysis dataset: read the CSV and label it.",
        f'analysis <- read.csv("{csv_name}", stringsAsFactors = FALSE, na.strings = "")',
    ]
    for column, labels in value_labels(frame, data.dummy).items():
        levels = ", ".join(str(k) for k in labels)
        names = ", ".join(_r_string(v) for v in labels.values())
        lines.append(
            f"analysis${column} <- factor(analysis${column}, levels = c({levels}), "
            f"labels = c({names}))"
        )
    for column, label in zip(frame.columns, _column_labels(data, frame), strict=True):
        lines.append(f'attr(analysis${column}, "label") <- {_r_string(label)}')
    return ("\n".join(lines) + "\n").encode()


def _r_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class FileFormat:
    label: str
    write: Callable[[AnalysisData], bytes]
    content_type: str
    suffix: str


WRITERS = {
    "csv": FileFormat("CSV", csv_bytes, "text/csv", "csv"),
    "dta": FileFormat("Stata (.dta)", dta_bytes, "application/x-stata-dta", "dta"),
    "sav": FileFormat("SPSS (.sav)", sav_bytes, "application/x-spss-sav", "sav"),
    "r": FileFormat(_("R script (with CSV)"), r_script, "text/plain", "R"),
    "codebook": FileFormat(_("Codebook (CSV)"), codebook_bytes, "text/csv", "codebook.csv"),
}
FORMATS = {code: f.label for code, f in WRITERS.items()}
