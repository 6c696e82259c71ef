"""SF-12 v1 physical and mental component summaries (PCS-12, MCS-12), 1990 US norms.

Source: Ware JE, Kosinski M, Keller SD. Med Care 1996;34(3):220-33 and "How to score the SF-12
physical and mental health summary scales", 2nd ed. (1995): indicator weights and constants as
restated in ``shared/reference/instrument-tables/sf12v1_weights.csv`` (awell-score
``src/scores/sf12``); ``tests/test_instruments_sf12.py`` checks every weight against that file.
The text of the SF-12 is licensed (QualityMetric): short labels only, answers by printed code.

Algorithm: recode GH1, BP2 (6 - x), MH3, VT2 (7 - x) so that level 1 is the worst state; one
indicator per level except the best; PCS/MCS = constant + the sum of the weights of the levels
present. The result is already norm-based (mean 50, SD 10). Missing data: the published algorithm
needs all 12 items, otherwise PCS and MCS are missing (no imputation).
"""

from __future__ import annotations

from collections.abc import Mapping

from outcomes.instruments.base import Instrument, Item, ScoreResult, Section, Text, numbered

NAME = "sf12"
VERSION = "sf12-v1-ware1995"

# (item key, standard v1 code, short label, highest code)
LAYOUT = (
    ("sf12_01", "gh1", Text("General health", "Santé en général"), 5),
    ("sf12_02", "pf02", Text("Moderate activities", "Activités modérées"), 3),
    ("sf12_03", "pf04", Text("Climbing several flights of stairs", "Monter plusieurs étages"), 3),
    ("sf12_04", "rp2", Text("Accomplished less (physical)", "Fait moins (physique)"), 2),
    ("sf12_05", "rp3", Text("Limited in kind of work (physical)", "Limité(e) (physique)"), 2),
    ("sf12_06", "re2", Text("Accomplished less (emotional)", "Fait moins (émotionnel)"), 2),
    ("sf12_07", "re3", Text("Less careful (emotional)", "Moins soigneux (émotionnel)"), 2),
    ("sf12_08", "bp2", Text("Pain interfered with work", "Douleur gênant le travail"), 5),
    ("sf12_09", "mh3", Text("Calm and peaceful", "Calme et paisible"), 6),
    ("sf12_10", "vt2", Text("A lot of energy", "Beaucoup d'énergie"), 6),
    ("sf12_11", "mh4", Text("Downhearted and blue", "Découragé(e) et triste"), 6),
    ("sf12_12", "sf2", Text("Social activities interfered", "Activités sociales gênées"), 5),
)
ITEMS = tuple(key for key, *_ in LAYOUT)
# Recoding so that level 1 is the worst state: code -> recoded level.
RECODE = {"gh1": 6, "bp2": 6, "mh3": 7, "vt2": 7}
# Indicator (variable_level) -> (PCS weight, MCS weight); levels as recoded, 1 = worst.
WEIGHTS: dict[str, tuple[float, float]] = {
    "pf02_1": (-7.23216, 3.93115),
    "pf02_2": (-3.45555, 1.8684),
    "pf04_1": (-6.24397, 2.68282),
    "pf04_2": (-2.73557, 1.43103),
    "rp2_1": (-4.61617, 1.4406),
    "rp3_1": (-5.51747, 1.66968),
    "bp2_1": (-11.25544, 1.48619),
    "bp2_2": (-8.38063, 1.76691),
    "bp2_3": (-6.50522, 1.49384),
    "bp2_4": (-3.8013, 0.90384),
    "gh1_1": (-8.37399, -1.71175),
    "gh1_2": (-5.56461, -0.16891),
    "gh1_3": (-3.02396, 0.03482),
    "gh1_4": (-1.31872, -0.06064),
    "vt2_1": (-2.44706, -6.02409),
    "vt2_2": (-2.02168, -4.88962),
    "vt2_3": (-1.6185, -3.29805),
    "vt2_4": (-1.14387, -1.65178),
    "vt2_5": (-0.42251, -0.92057),
    "sf2_1": (-0.33682, -6.29724),
    "sf2_2": (-0.94342, -8.26066),
    "sf2_3": (-0.18043, -5.63286),
    "sf2_4": (0.11038, -3.13896),
    "re2_1": (3.04365, -6.82672),
    "re3_1": (2.32091, -5.69921),
    "mh3_1": (3.46638, -10.19085),
    "mh3_2": (2.90426, -7.92717),
    "mh3_3": (2.37241, -6.31121),
    "mh3_4": (1.36689, -4.09842),
    "mh3_5": (0.66514, -1.94949),
    "mh4_1": (4.61446, -16.15395),
    "mh4_2": (3.41593, -10.77911),
    "mh4_3": (2.34247, -8.09914),
    "mh4_4": (1.28044, -4.59055),
    "mh4_5": (0.41188, -1.95934),
}
PCS_CONSTANT, MCS_CONSTANT = 56.57706, 60.75781


def score(responses: Mapping[str, object]) -> ScoreResult:
    return DEFINITION.score(responses)


def _score(answers: Mapping[str, int | None]) -> ScoreResult:
    missing = [key for key in ITEMS if answers[key] is None]
    if missing:
        note = "SF-12 v1 needs all 12 items (no imputation)."
        return ScoreResult(None, {"pcs": None, "mcs": None}, VERSION, missing, (note,))
    pcs, mcs = PCS_CONSTANT, MCS_CONSTANT
    for key, code, _, _ in LAYOUT:
        value: int = answers[key]  # type: ignore[assignment]
        level = RECODE[code] - value if code in RECODE else value
        pcs_weight, mcs_weight = WEIGHTS.get(f"{code}_{level}", (0.0, 0.0))
        pcs += pcs_weight
        mcs += mcs_weight
    return ScoreResult(None, {"pcs": pcs, "mcs": mcs}, VERSION, [])


DEFINITION = Instrument(
    name=NAME,
    title=Text("SF-12 Health Survey v1", "Questionnaire de santé SF-12 v1"),
    version=VERSION,
    source=(
        "Ware JE, Kosinski M, Keller SD. Med Care 1996;34:220-33; How to score the SF-12, "
        "2nd ed., 1995 (1990 US norms)."
    ),
    licence="© QualityMetric (licensed): item text and answer wording not reproduced.",
    sections=(
        Section(
            Text("Items (enter the code printed next to the answer ticked)"),
            tuple(
                Item(
                    key,
                    Text(f"{code.upper()}: {label.en}", f"{code.upper()} : {label.fr}"),
                    choices=numbered(1, high),
                )
                for key, code, label, high in LAYOUT
            ),
        ),
    ),
    scorer=_score,
)
