"""The declarative schedule: visit states at window edges, session plan and templates (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from trial.consort import RandomisedPerson, ScreenedPerson, consort_counts
from trial.protocol import PROTOCOL
from trial.protocol.schema import Anchor
from trial.schedule.timeline import Recorded, VisitState, timeline, visit_state

S1 = dt.date(2026, 1, 5)
WEEK16 = PROTOCOL.visit("week16")


@pytest.mark.parametrize(
    ("today_offset", "state"),
    [
        (104, VisitState.UPCOMING),
        (105, VisitState.OPEN),
        (119, VisitState.OPEN),
        (120, VisitState.CLOSING),  # 6 days left
        (126, VisitState.CLOSING),
        (127, VisitState.OVERDUE),
    ],
)
def test_week16_state_by_day(today_offset: int, state: VisitState) -> None:
    today = S1 + dt.timedelta(days=today_offset)
    assert visit_state(WEEK16, S1, None, today) is state


def test_done_inside_and_outside_the_window() -> None:
    today = S1 + dt.timedelta(days=200)
    inside = Recorded(S1 + dt.timedelta(days=126))
    outside = Recorded(S1 + dt.timedelta(days=127))
    assert visit_state(WEEK16, S1, inside, today) is VisitState.DONE
    assert visit_state(WEEK16, S1, outside, today) is VisitState.DONE_OUT_OF_WINDOW
    assert visit_state(WEEK16, S1, Recorded(None, missed=True), today) is VisitState.MISSED


def test_unknown_anchor_and_optional_visits() -> None:
    assert visit_state(WEEK16, None, None, S1) is VisitState.NOT_SCHEDULED
    interview = PROTOCOL.visit("pre_interview")
    assert visit_state(interview, S1, None, S1, invited=False) is VisitState.NOT_INVITED
    assert visit_state(interview, S1, None, S1 - dt.timedelta(days=3)) is VisitState.CLOSING


def test_pre_interview_window_is_the_5_days_before_session_1() -> None:
    interview = PROTOCOL.visit("pre_interview")
    assert interview.window_dates(S1) == (S1 - dt.timedelta(days=5), S1 - dt.timedelta(days=1))
    post = PROTOCOL.visit("post_interview")
    assert post.window_dates(S1) == (S1, S1 + dt.timedelta(days=7))


def test_weekly_pain_ratings_cover_each_of_the_16_weeks() -> None:
    weekly = [v for v in PROTOCOL.visits if v.code.startswith("pain_week_")]
    assert len(weekly) == 16
    days = [d for v in weekly for d in range(v.window.earliest, v.window.latest + 1)]
    assert days == list(range(0, 16 * 7))


def test_timeline_hides_forms_and_marks_missing_ones() -> None:
    anchors = {
        Anchor.SCREENING: S1,
        Anchor.CONSENT: S1,
        Anchor.SESSION_1: None,
        Anchor.FINAL_SESSION: None,
    }
    statuses = timeline(
        PROTOCOL,
        anchors,
        {"baseline": Recorded(S1 + dt.timedelta(days=3))},
        {("baseline", "lsiq")},
        S1 + dt.timedelta(days=4),
        hidden_forms={"lsiq"},
    )
    baseline = next(s for s in statuses if s.visit.code == "baseline")
    assert "lsiq" not in {f.form.code for f in baseline.forms}
    assert "odi" in {f.code for f in baseline.missing_forms}
    assert next(s for s in statuses if s.visit.code == "week16").state is VisitState.NOT_SCHEDULED


def test_session_plan_three_a_week_for_16_weeks() -> None:
    plan = PROTOCOL.sessions
    assert plan.total == 48
    assert [plan.planned_day(n) for n in (1, 2, 3, 4, 48)] == [0, 2, 4, 7, 109]
    assert plan.week_of(48) == 16
    with pytest.raises(ValueError):
        plan.planned_day(49)


def test_free_weight_sessions_alternate_2x1_1x2_then_1x1_2x2() -> None:
    plan = PROTOCOL.sessions
    codes = [plan.template_for("FREE_WEIGHT", n).code[-1] for n in range(1, 13)]
    assert codes == list("121212121212")
    weights = [e.code for e in plan.template("free_weight_2").exercises]
    assert weights == [
        "standard_warm_up",
        "deadlift",
        "step_up",
        "lat_pulldown",
        "side_bridge",
        "press_up",
    ]
    mc = plan.template_for("MC_ILEX", 7)
    assert mc.individualised and mc.exercises[0].code == "medx_ilex"


def _randomised(arm: str, **kw: object) -> RandomisedPerson:
    defaults = {
        "attended_any_session": True,
        "exit_kind": None,
        "exit_reason": None,
        "primary_outcome_scored": True,
        "data_use_refused": False,
    }
    return RandomisedPerson(arm=arm, **{**defaults, **kw})  # type: ignore[arg-type]


def test_consort_counts_pooled_and_by_arm() -> None:
    screened = [
        ScreenedPerson("not_eligible", ("radiculopathy", "age")),
        ScreenedPerson("not_eligible", ("age",)),
        ScreenedPerson("declined"),
        ScreenedPerson("not_reached"),
        ScreenedPerson("eligible", enrolled=True, randomised=False),
        *[ScreenedPerson("eligible", enrolled=True, randomised=True)] * 3,
    ]
    randomised = [
        _randomised("MC_ILEX"),
        _randomised(
            "MC_ILEX", exit_kind="lost", exit_reason="no_contact", primary_outcome_scored=False
        ),
        _randomised(
            "FREE_WEIGHT",
            attended_any_session=False,
            exit_kind="withdrawn",
            exit_reason="withdrew_consent",
            data_use_refused=True,
        ),
    ]
    arms = ["MC_ILEX", "FREE_WEIGHT"]
    counts = consort_counts(screened, randomised, arms, show_arms=True)
    assert (counts.assessed, counts.excluded, counts.randomised) == (8, 5, 3)
    assert counts.excluded_by_criterion == {"age": 2, "radiculopathy": 1}
    assert (counts.declined, counts.not_reached, counts.eligible_not_randomised) == (1, 1, 1)
    assert counts.by_arm["MC_ILEX"].lost_to_follow_up == 1
    assert counts.by_arm["FREE_WEIGHT"].did_not_receive == 1
    assert (counts.pooled.analysed, counts.pooled.not_analysed) == (1, 2)
    blinded = consort_counts(screened, [_randomised(None)] * 3, arms, show_arms=False)
    assert blinded.by_arm is None and blinded.pooled.allocated == 3


def test_weekly_app_visits_are_done_once_their_rating_is_entered() -> None:
    """App data has no visit record: an imported week reads done, a week without one overdue."""
    anchors = {
        Anchor.SCREENING: S1,
        Anchor.CONSENT: S1,
        Anchor.SESSION_1: S1 + dt.timedelta(days=20),
        Anchor.FINAL_SESSION: None,
    }
    weeks = PROTOCOL.visits_with("mmp_pain")
    statuses = {
        s.visit.code: s
        for s in timeline(
            PROTOCOL,
            anchors,
            {},
            {(weeks[0], "mmp_pain")},
            S1 + dt.timedelta(days=20 + 7 * 4),
        )
    }
    assert statuses[weeks[0]].state is VisitState.DONE
    assert statuses[weeks[0]].missing_forms == ()
    assert statuses[weeks[1]].state is VisitState.OVERDUE
