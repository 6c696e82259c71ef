"""Every refusal a randomise call can give, as each role sees it on the page and through the API,
is worded without the stratifier: no stratum code or label, no questionnaire name, no score.

The therapist randomises and is blind to the LSIQ; a refusal that said "no slot left in stratum
LSIQ_HIGH" told them the participant's questionnaire result (found by an outside attack)."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

import pytest
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token

from outcomes.instruments import lsiq
from outcomes.instruments.services import save_instrument_response
from randomization.importing import import_list
from randomization.listfile import to_csv
from randomization.models import Environment
from randomization.sequence import AllocationRow
from tests.journey import (
    TODAY,
    baseline_done_without_forms,
    enrolled,
    lock_waiving_everything,
    not_entered,
    with_baseline,
)
from trial.models import Participant
from trial.protocol import PROTOCOL
from trial.roles import ROLES
from trial.services.safety import record_exit
from trial.services.visits import record_visit

pytestmark = pytest.mark.django_db
LSIQ_YES = 12  # the participant's LSIQ total in every scenario: it must never be shown


def _forbidden_words() -> list[str]:
    words = ["LSIQ", "instability", "stratum", "strata", "score"]
    for stratum in PROTOCOL.strata:
        words += [stratum.code, str(stratum.label)]
    words += [str(form.label) for form in PROTOCOL.forms if form.code == "lsiq"]
    return words


def _ready(user: object) -> Participant:
    return with_baseline(enrolled(user), user, LSIQ_YES, TODAY)


def _not_eligible(users: dict) -> Participant:
    participant = _ready(users["coordinator"])
    record_exit(participant.pk, users["coordinator"], kind="withdrawn", exit_on=TODAY,
                reason="withdrew_consent", data_use="collected")  # fmt: skip
    return participant


def _baseline_missing(users: dict) -> Participant:
    return enrolled(users["coordinator"])


def _questionnaire_missing(users: dict) -> Participant:
    return baseline_done_without_forms(enrolled(users["coordinator"]), users["coordinator"])


def _stratum_exhausted(users: dict) -> Participant:
    # A test list with slots only in the other stratum than this participant's.
    high = PROTOCOL.stratification.stratum_for(LSIQ_YES)
    other = next(s.code for s in PROTOCOL.strata if s.code != high)
    arms = [a.code for a in PROTOCOL.arms]
    rows = [AllocationRow(other, 1, 1, 2, arms[0]), AllocationRow(other, 2, 1, 2, arms[1])]
    import_list(to_csv(rows), "tiny", Environment.TEST, users["statistician"])
    return _ready(users["coordinator"])


def _database_locked(users: dict) -> Participant:
    participant = _ready(users["coordinator"])
    lock_waiving_everything(users["data_manager"])
    return participant


SCENARIOS: dict[str, tuple[Callable[[dict], Participant], str]] = {
    "not eligible (left the study)": (_not_eligible, "production"),
    "baseline visit missing": (_baseline_missing, "production"),
    "stratification questionnaire missing": (_questionnaire_missing, "production"),
    "no allocation list": (_ready, "test"),
    "stratum exhausted": (_stratum_exhausted, "test"),
    "database locked": (_database_locked, "production"),
}


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _leaks(text: str, study_id: str) -> list[str]:
    found = [w for w in _forbidden_words() if w.lower() in text.lower()]
    if re.search(rf"\b{LSIQ_YES}\b", text.replace(study_id, "")):
        found.append(f"the score {LSIQ_YES}")
    return found


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_randomise_refusal_is_worded_without_the_stratifier(
    scenario: str, role_users: dict, client_for: Callable[[str], Client]
) -> None:
    make, environment = SCENARIOS[scenario]
    with override_settings(RANDOMISATION_ENVIRONMENT=environment):
        participant = make(role_users) if make is not _ready else _ready(role_users["coordinator"])
        for role in ROLES:
            page = client_for(role.code).post(f"/participants/{participant.study_id}/randomise/")
            token = Token.objects.get_or_create(user=role_users[role.code])[0]
            api = Client().post(
                f"/api/v1/participants/{participant.study_id}/randomise/",
                HTTP_AUTHORIZATION=f"Token {token.key}",
            )
            may = "randomise" in role.permissions
            assert page.status_code in ((200, 423) if may else (403,)), (role.code, scenario)
            assert api.status_code in ((409, 423) if may else (403,)), (role.code, scenario)
            page_text, api_text = _visible(page.content.decode()), api.content.decode()
            if may:  # the same refusal reaches both channels
                detail = api.json()["detail"]
                assert detail and detail in page_text, (scenario, detail, page_text[-500:])
            for channel, text in (("page", page_text), ("api", api_text)):
                assert not _leaks(text, participant.study_id), (role.code, channel, scenario)
        participant.refresh_from_db()
        assert participant.randomized_on is None


def test_missing_preconditions_refuse_until_done_or_waived_by_the_pi(
    role_users: dict, client_for: Callable[[str], Client]
) -> None:
    """Randomisation preconditions are protocol data: without the baseline strength tests the
    therapist is refused with their names (and never the stratifier's); the PI waives each with
    a reason on the participant's page, and randomisation goes ahead."""
    from randomization.models import AllocationSlot, PreconditionWaiver
    from tests.journey import ensure_list

    ensure_list(role_users["statistician"])
    participant = enrolled(role_users["coordinator"])
    answers = {item: int(i < LSIQ_YES) for i, item in enumerate(lsiq.ITEMS)}
    save_instrument_response(participant, "baseline", "lsiq", answers, TODAY,
                             role_users["coordinator"])  # fmt: skip
    record_visit(
        participant,
        "baseline",
        role_users["coordinator"],
        done_on=TODAY,
        forms_not_done=not_entered("baseline"),
    )
    therapist = client_for("therapist")
    url = f"/participants/{participant.study_id}/randomise/"
    text = _visible(therapist.post(url).content.decode())
    for precondition in PROTOCOL.randomisation_preconditions:
        assert precondition.label in text
    assert _leaks(text, participant.study_id) == []
    assert not AllocationSlot.objects.filter(participant=participant).exists()

    pi = client_for("pi")
    waivers = f"/participants/{participant.study_id}/randomisation-waivers/"
    page = pi.get(waivers).content.decode()
    for precondition in PROTOCOL.randomisation_preconditions:
        assert f'data-form="{precondition.form}" data-missing="yes"' in page
    assert client_for("therapist").post(waivers, {"form": "odi", "reason": "x"}).status_code == 403
    pi.post(waivers, {"form": "medx", "reason": ""})
    assert not PreconditionWaiver.objects.filter(participant=participant).exists()
    for precondition in PROTOCOL.randomisation_preconditions:
        pi.post(waivers, {"form": precondition.form, "reason": "scanner down; done in week 1"})
    assert PreconditionWaiver.objects.filter(participant=participant).count() == len(
        PROTOCOL.randomisation_preconditions
    )
    with override_settings(RANDOMISATION_ENVIRONMENT="production"):
        therapist.post(url)
    assert AllocationSlot.objects.filter(participant=participant).exists()
