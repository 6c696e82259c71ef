"""What the dashboards show, gathered through the blinding layer.

``blinded_dashboard`` never groups by arm (it does not even read the allocation);
``unblinded_dashboard`` groups by the arms ``visible_arms`` returns for this reader, and the view
only calls it for a reader who may see every arm.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

from django.db.models import F, FloatField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from imaging.models import ImagingStudy
from imaging.selectors import approved_metrics
from outcomes.dashboards import panels as charts
from outcomes.models import InstrumentResponse
from randomization.models import RequestStatus, UnblindingRequest
from randomization.selectors import trial_unblinded, visible_arms
from trial.models import AdverseEvent, DataQuery, Participant
from trial.protocol import PROTOCOL
from trial.schedule.timeline import VisitState
from trial.selectors.journeys import hidden_forms_for, journeys

VISITS = PROTOCOL.outcome_visits()
POOLED = "All participants"
# (title, instrument, score key: "total" or a subscore)
OUTCOMES = (
    (_("ODI (0-100, higher = more disability)"), "odi", "total"),
    (_("NPRS pain (0-10)"), "nprs", "total"),
    (_("SF-12 physical component (PCS)"), "sf12", "pcs"),
    (_("SF-12 mental component (MCS)"), "sf12", "mcs"),
    (_("PROMIS-29 physical function"), "promis29", "physical_function"),
    (_("PROMIS-29 anxiety"), "promis29", "anxiety"),
    (_("PROMIS-29 depression"), "promis29", "depression"),
    (_("PROMIS-29 fatigue"), "promis29", "fatigue"),
    (_("PROMIS-29 sleep disturbance"), "promis29", "sleep_disturbance"),
    (_("PROMIS-29 social roles"), "promis29", "social_roles"),
    (_("PROMIS-29 pain interference"), "promis29", "pain_interference"),
    (_("PROMIS-29 pain intensity"), "promis29", "pain_intensity"),
)
# From approved runs, level "all": every slice the muscle is drawn on (the stack's coverage, not a
# declared level range), averaged over the two sides.
IMAGING = (
    (_("Multifidus mean CSA over the measured slices, mean of sides (mm²)"), "mean_csa_mm2"),
    (_("Multifidus fat fraction over the measured slices (voxels of the mask), mean of sides (%)"),
     "fat_fraction_pct"),
)  # fmt: skip
# The score keys each instrument's query reads, in panel order.
SCORE_KEYS = {i: [key for _t, of, key in OUTCOMES if of == i] for _t, i, _k in OUTCOMES}
Grouper = Callable[[int], str | None]


def _scores(instrument: str, keys: list[str]) -> dict[str, list[tuple[int, str, float]]]:
    """Each score key's values (``total`` or a subscore) for ``instrument`` at the outcome
    visits, in one query. The database reads the subscores out of the JSON: decoding every
    response's JSON in Python was most of the dashboard's CPU at 1,000 participants."""
    columns = {
        f"score_{key}": F("total")
        if key == "total"
        else Cast(KT(f"subscores__{key}"), FloatField())
        for key in keys
    }
    rows = (
        InstrumentResponse.objects.filter(instrument=instrument, visit_code__in=VISITS)
        .annotate(**columns)
        .values_list("participant_id", "visit_code", *columns)
    )
    out: dict[str, list[tuple[int, str, float]]] = {key: [] for key in keys}
    for pid, visit, *values in rows:
        for key, value in zip(keys, values, strict=True):
            if value is not None:
                out[key].append((pid, visit, float(value)))
    return out


def _imaging(field: str) -> list[tuple[int, str, float]]:
    per: dict[tuple[int, str], list[float]] = defaultdict(list)
    metrics = approved_metrics().filter(muscle="multifidus", level="all",
                                        run__study__visit_code__in=VISITS)  # fmt: skip
    for pid, visit, value in metrics.values_list(
        "run__study__participant_id", "run__study__visit_code", field
    ):
        if value is not None:
            per[(pid, visit)].append(value)
    return [(pid, visit, sum(v) / len(v)) for (pid, visit), v in per.items()]


def _distribution(rows: list[tuple[int, str, float]], group: Grouper, series: list[str]) -> dict:
    values: dict[str, dict[str, list[float]]] = {v: {s: [] for s in series} for v in VISITS}
    for pid, visit, value in rows:
        name = group(pid)
        if name is not None:
            values[visit][name].append(value)
    return {visit: {s: charts.Summary.of(v) for s, v in by.items()} for visit, by in
            values.items()}  # fmt: skip


def outcome_charts(group: Grouper, series: list[str]) -> list[dict]:
    panels = []
    # One query per instrument (PROMIS-29 feeds several panels: read it once).
    scores = {instrument: _scores(instrument, keys) for instrument, keys in SCORE_KEYS.items()}
    sources = [(title, scores[i][k]) for title, i, k in OUTCOMES]
    sources += [(title, _imaging(f)) for title, f in IMAGING]
    for title, rows in sources:
        summaries = _distribution(rows, group, series)
        panels.append({"title": title, "chart": charts.box_plot(summaries, title),
                       "summaries": summaries})  # fmt: skip
    return panels


def _visit_progress(user: object) -> tuple[list, list]:
    today = timezone.localdate()
    rows = journeys(user, Participant.objects.all(), today)
    hidden = hidden_forms_for(user)
    timeliness, completeness = [], []
    for code in VISITS:
        states = Counter(j.visit(code).state for j in rows)
        done = states[VisitState.DONE] + states[VisitState.DONE_OUT_OF_WINDOW]
        due = done + states[VisitState.OVERDUE] + states[VisitState.MISSED]
        timeliness.append({
            "visit": code, "done": done, "in_window": states[VisitState.DONE],
            "late": states[VisitState.DONE_OUT_OF_WINDOW], "overdue": states[VisitState.OVERDUE],
            "missed": states[VisitState.MISSED],
            "open": states[VisitState.OPEN] + states[VisitState.CLOSING], "due": due,
        })  # fmt: skip
        forms: Counter = Counter()
        totals: Counter = Counter()
        for journey in rows:
            status = journey.visit(code)
            if status.state not in (VisitState.DONE, VisitState.DONE_OUT_OF_WINDOW):
                continue
            for form in status.forms:
                if form.form.code in hidden:
                    continue
                totals[form.form.code] += 1
                forms[form.form.code] += form.done
        for form, total in totals.items():
            completeness.append((f"{code}: {form}", round(100 * forms[form] / total, 1),
                                 f"({forms[form]}/{total})"))  # fmt: skip
    return timeliness, completeness


def blinded_dashboard(user: object) -> dict[str, object]:
    randomised = list(Participant.objects.filter(randomized_on__isnull=False)
                      .values_list("randomized_on", flat=True))  # fmt: skip
    timeliness, completeness = _visit_progress(user)
    queries = Counter(DataQuery.objects.values_list("status", flat=True))
    imaging = Counter(ImagingStudy.objects.values_list("status", flat=True))
    return {
        "target": PROTOCOL.target_sample_size,
        "randomised": len(randomised),
        "recruitment": charts.recruitment_chart(
            randomised, PROTOCOL.target_sample_size, None, None
        ),
        "timeliness": timeliness,
        "completeness": charts.bar_chart(completeness, "Data completeness per form", "%"),
        "completeness_rows": completeness,
        "queries": dict(queries),
        "imaging": dict(imaging),
        "outcomes": outcome_charts(lambda _pid: POOLED, [POOLED]),
    }


def unblinded_dashboard(user: object) -> dict[str, object]:
    ids = list(Participant.objects.filter(randomized_on__isnull=False).values_list("pk", flat=True))
    arms = visible_arms(user, ids)
    labels = {arm.code: arm.label for arm in PROTOCOL.arms}
    series = list(labels.values())

    def group(pid: int) -> str | None:
        arm = arms.get(pid)
        return labels[arm.code] if arm else None

    adherence: dict[str, list[float]] = {s: [] for s in series}
    for journey in journeys(user, Participant.objects.filter(pk__in=ids), timezone.localdate()):
        if journey.sessions is not None and group(journey.participant.pk):
            adherence[group(journey.participant.pk)].append(100 * journey.sessions.adherence)
    events = {name: {"events": 0, "serious": 0, "participants": 0} for name in series}
    people: dict[str, set[int]] = {name: set() for name in series}
    for pid, serious in AdverseEvent.objects.filter(participant_id__in=ids).values_list(
        "participant_id", "serious"
    ):
        name = group(pid)
        if name:
            events[name]["events"] += 1
            events[name]["serious"] += bool(serious)
            people[name].add(pid)
    for name in series:
        events[name]["participants"] = len(people[name])
    allocated = Counter(group(pid) for pid in ids)
    summaries = {"adherence": {s: charts.Summary.of(v) for s, v in adherence.items()}}
    return {
        "series": series,
        "arms": [{"name": name, "allocated": allocated[name], **events[name]} for name in series],
        "adherence": charts.box_plot(
            summaries,
            _("Adherence by arm (%% of %(total)s sessions attended)")
            % {"total": PROTOCOL.sessions.total},
        ),
        "adherence_summaries": summaries["adherence"],
        "emergency_unblindings": UnblindingRequest.objects.filter(
            status=RequestStatus.APPROVED
        ).count(),
        # Comparative efficacy before lock is for an independent data monitoring committee,
        # not the investigator: outcomes split by arm only once the trial is unblinded.
        "outcomes": outcome_charts(group, series) if trial_unblinded() else None,
    }
