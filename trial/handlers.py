"""How feature apps plug their forms into the core's participant timeline.

The protocol declares the forms; the app that stores a form declares, on its ``AppConfig``, a
``form_handlers()`` that says which (participant, visit) pairs of that form are done and where a
user opens it. The core's timeline and worklists read them through ``form_handlers()`` here and
never import a feature app (the layering test enforces it). A system check fails at start-up
when a protocol form has no handler, or two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from django.apps import apps
from django.urls import NoReverseMatch, resolve, reverse

from trial.access.policy import policy_for

# (participant ids) -> (participant id, visit code, form code) of every form entered
DoneFn = Callable[[list[int]], Iterable[tuple[int, str, str]]]
# (user, study id, visit code, form code) -> the page's URL, or "" when there is none for them
LinkFn = Callable[[object, str, str, str], str]
# (participant ids, visit code, form code) -> participant id: the form's total (None: unscored)
ScoreFn = Callable[[list[int], str, str], dict[int, float | None]]
# (visit code, form code) -> an expression over a participant row (``OuterRef("pk")``): the form
# is entered at that visit; and the form's total there (for questionnaires). Read inside one
# statement with the participant, where the per-handler functions above cost a query each.
EnteredExprFn = Callable[[str, str], object]
TotalExprFn = Callable[[str, str], object]
# (participant ids) -> (participant id, visit code, form code) -> the stored values (JSON-able)
ContentsFn = Callable[[list[int]], Mapping[tuple[int, str, str], object]]


class FormState(StrEnum):
    """What the record status page shows for one form of one visit. The core knows the states
    it stores (queries, SDV marks, locks, signatures, forms marked not done); an app adds the
    states only it knows (a questionnaire with unanswered items, one awaiting second entry)."""

    NOT_STARTED = "not_started"
    NOT_DONE = "not_done"  # marked not done, with a reason, when the visit was recorded
    INCOMPLETE = "incomplete"
    COMPLETE = "complete"
    AWAITING_SECOND_ENTRY = "awaiting_second_entry"
    QUERIED = "queried"
    VERIFIED = "verified"
    LOCKED = "locked"
    SIGNED = "signed"


# (participant ids) -> (participant id, visit code, form code, state) of app-specific states
StatesFn = Callable[[list[int]], Iterable[tuple[int, str, str, FormState]]]


@dataclass(frozen=True)
class FormHandler:
    """What an app tells the core about the forms it owns. ``link`` decides from the reader,
    the visit and the form alone; the participant only gives the study ID in the path (grids
    of a thousand cells decide once per visit and form: ``form_links``)."""

    forms: tuple[str, ...]
    done: DoneFn
    link: LinkFn
    score: ScoreFn | None = None  # for forms with a total (questionnaires)
    contents: ContentsFn | None = None  # for forms a monitor verifies against source (SDV)
    states: StatesFn | None = None  # states beyond entered / not entered
    entered: EnteredExprFn | None = None  # for randomisation preconditions
    total: TotalExprFn | None = None  # for the stratification questionnaire


@cache
def _declared() -> tuple[tuple[str, FormHandler], ...]:
    """(app label, handler) for every handler the installed apps declare, read once: the
    participant page asks for a handler per form and per visit."""
    return tuple(
        (config.label, handler)
        for config in apps.get_app_configs()
        if callable(getattr(config, "form_handlers", None))
        for handler in config.form_handlers()
    )


def form_handlers() -> dict[str, FormHandler]:
    """Form code -> its handler (the first app that declares it)."""
    handlers: dict[str, FormHandler] = {}
    for _label, handler in _declared():
        for form in handler.forms:
            handlers.setdefault(form, handler)
    return handlers


def handler_problems(
    form_codes: Iterable[str], entered: Iterable[str] = (), totalled: Iterable[str] = ()
) -> list[str]:
    """What is wrong with the declared handlers for these protocol forms (for the system check):
    the forms in ``entered`` (randomisation preconditions) need an ``entered`` expression, those
    in ``totalled`` (the stratification questionnaire) a ``total`` one."""
    owners: dict[str, list[str]] = {}
    for label, handler in _declared():
        for form in handler.forms:
            owners.setdefault(form, []).append(label)
    problems = []
    for form in form_codes:
        found = owners.get(form, [])
        if not found:
            problems.append(f"no app declares a handler for the protocol form {form!r}")
        elif len(found) > 1:
            problems.append(f"form {form!r} has handlers in several apps: {', '.join(found)}")
    handlers = form_handlers()
    for form in entered:
        if form in handlers and handlers[form].entered is None:
            problems.append(f"the handler of {form!r} cannot say in SQL whether it is entered")
    for form in totalled:
        if form in handlers and handlers[form].total is None:
            problems.append(f"the handler of {form!r} cannot give its total in SQL")
    return problems


def permitted_url(user: object, url_name: str, *args: object) -> str:
    """The URL of a page when ``user`` may open it (by the page's own declared policy), else "".

    Links are decided from the target view's policy, so a page never links to one its reader
    would be refused."""
    try:
        url = reverse(url_name, args=list(args))
    except NoReverseMatch:
        return ""
    if not getattr(user, "is_authenticated", False):
        return ""
    # The view behind a URL name does not depend on its arguments: decide once per name for
    # this user object (one request), not once per link (a grid holds a thousand).
    decided = vars(user).setdefault("_permitted_names", {})
    if url_name not in decided:
        match = resolve(url)
        policy = policy_for(match.func, match.namespaces)
        decided[url_name] = policy is not None and (
            policy.public or policy.signed_in or user.has_perms(policy.permissions)  # type: ignore[attr-defined]
        )
    return url if decided[url_name] else ""


def forms_done(
    participant_ids: list[int], only: Iterable[str] | None = None
) -> dict[int, set[tuple[str, str]]]:
    """(visit, form) pairs entered, per participant: one query (or a few) per handler; with
    ``only``, just the handlers of those forms are asked."""
    wanted = None if only is None else set(only)
    done: dict[int, set[tuple[str, str]]] = {pid: set() for pid in participant_ids}
    for _label, handler in _declared():
        if wanted is not None and wanted.isdisjoint(handler.forms):
            continue
        for pid, visit, form in handler.done(participant_ids):
            done.setdefault(pid, set()).add((visit, form))
    return done


def form_link(user: object, study_id: str, visit: str, form: str) -> str:
    handler = form_handlers().get(form)
    return handler.link(user, study_id, visit, form) if handler else ""


def form_links(user: object) -> Callable[[str, str, str], str]:
    """``form_link`` for a grid: each (visit, form) is decided once, for the first participant
    asked, and the others get the same path with their own study ID (see ``FormHandler``)."""
    decided: dict[tuple[str, str], tuple[str, str] | str | None] = {}

    def link(study_id: str, visit: str, form: str) -> str:
        key = (visit, form)
        if key not in decided:
            url = form_link(user, study_id, visit, form)
            marker = f"/{study_id}/"
            if not url:
                decided[key] = ""  # this reader opens this form nowhere
            elif url.count(marker) == 1:
                decided[key] = tuple(url.split(marker))  # type: ignore[assignment]
            else:
                decided[key] = None  # the path does not show the ID once: ask per participant
            return url
        known = decided[key]
        if known is None:
            return form_link(user, study_id, visit, form)
        if isinstance(known, str):
            return known
        return f"{known[0]}/{study_id}/{known[1]}"

    return link


def form_scores(participant_ids: list[int], visit: str, form: str) -> dict[int, float | None]:
    """The form's total per participant at a visit (absent: not entered; None: not scorable)."""
    handler = form_handlers().get(form)
    if handler is None or handler.score is None:
        raise LookupError(f"no app declares a score for the form {form!r}")
    return handler.score(participant_ids, visit, form)


def form_content(participant_id: int, visit: str, form: str) -> object:
    """The stored values of one form (None when it has none to verify, or is not entered)."""
    handler = form_handlers().get(form)
    if handler is None or handler.contents is None:
        return None
    return handler.contents([participant_id]).get((participant_id, visit, form))


def forms_content(participant_ids: list[int]) -> dict[tuple[int, str, str], object]:
    """The stored values of every verifiable form of these participants: one query (or a few)
    per handler, whatever their number."""
    contents: dict[tuple[int, str, str], object] = {}
    for _label, handler in _declared():
        if handler.contents is not None:
            contents.update(handler.contents(participant_ids))
    return contents


def app_form_states(participant_ids: list[int]) -> dict[tuple[int, str, str], set[FormState]]:
    """The states only the owning apps know, per (participant, visit, form)."""
    states: dict[tuple[int, str, str], set[FormState]] = {}
    for _label, handler in _declared():
        if handler.states is not None:
            for pid, visit, form, state in handler.states(participant_ids):
                states.setdefault((pid, visit, form), set()).add(state)
    return states
