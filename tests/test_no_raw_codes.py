"""No raw code from the protocol (arm, stratum, session template, exercise and criterion codes)
appears in the visible text of any page of any role, generated from the URLconf."""

from __future__ import annotations

import re

import pytest

from tests.pages import role_pages, visible_text
from trial.protocol import PROTOCOL
from trial.roles import ROLES

pytestmark = pytest.mark.django_db


def protocol_codes() -> set[str]:
    """Codes that are not words (they hold an underscore), from the protocol's declarations."""
    codes = {arm.code for arm in PROTOCOL.arms} | {s.code for s in PROTOCOL.strata}
    codes |= {c.code for c in PROTOCOL.criteria}
    for template in PROTOCOL.sessions.templates:
        codes.add(template.code)
        codes |= {exercise.code for exercise in template.exercises}
    return {code for code in codes if "_" in code}


def test_the_code_list_covers_each_kind() -> None:
    codes = protocol_codes()
    assert {"MC_ILEX", "LSIQ_HIGH", "mc_ilex", "free_weight_1", "pddm_nociceptive"} <= codes


@pytest.mark.parametrize("role", [role.code for role in ROLES])
def test_no_page_shows_a_protocol_code(role: str, role_users: dict, client_for) -> None:
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(map(re.escape, protocol_codes())) + r")(?![\w-])"
    )
    found, opened = [], 0
    for path, html in role_pages(client_for(role)):
        opened += 1
        for text in visible_text(html):
            found += [(path, code, text[:80]) for code in pattern.findall(text)]
    assert opened >= 5
    assert found == [], found[:20]
