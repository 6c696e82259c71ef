"""Data queries: the data manager raises a question on one field of one form, the person who
entered it answers, the data manager closes it. Every step is an audited save; open queries are
on the coordinator's worklist (``trial.selectors.worklists``)."""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from outcomes.exceptions import QueryRefused
from outcomes.instruments import DEFINITIONS
from outcomes.instruments.double_entry import settle_after_queries
from outcomes.models import InstrumentResponse
from trial.models import MedicalHistory, Participant, Sociodemographics
from trial.models.mri_safety import MriSafety
from trial.models.queries import DataQuery, QueryStatus
from trial.protocol import PROTOCOL
from trial.services.text_review import note_saved

WHOLE_FORM = "(whole form)"
# Case-report forms whose fields can be queried one by one (the rest: the whole form).
CRF_MODELS: dict[str, type[models.Model]] = {
    "sociodemographics": Sociodemographics,
    "medical_history": MedicalHistory,
    "mri_safety": MriSafety,
}
# The assessor's guess hints at the arm to anyone who reads it: never a query subject.
NOT_QUERYABLE = frozenset({"blinding_guess"})


def fields_of(form_code: str) -> list[tuple[str, str]]:
    """(field name, label) of a form, as a query may name them."""
    if form_code in DEFINITIONS:
        language = get_language() or "en"
        items = DEFINITIONS[form_code].items
        labels = [(item.key, item.label.in_language(language)) for item in items]
        return [*labels, ("completed_on", str(_("Completed on")))]
    fields = [(WHOLE_FORM, str(_("The whole form")))]
    model = CRF_MODELS.get(form_code)
    if model is not None:
        fields += [
            (field.name, str(field.verbose_name))
            for field in model._meta.concrete_fields
            if field.editable and not field.primary_key and not field.is_relation
        ]
    return fields


def queryable_forms(visit_code: str) -> list[str]:
    return [code for code in PROTOCOL.visit(visit_code).forms if code not in NOT_QUERYABLE]


@transaction.atomic
def raise_query(
    participant: Participant,
    visit_code: str,
    form_code: str,
    field_name: str,
    question: str,
    user: object,
) -> DataQuery:
    try:
        visit = PROTOCOL.visit(visit_code)
    except KeyError:
        raise QueryRefused(f"There is no visit {visit_code!r}.") from None
    if form_code not in queryable_forms(visit_code):
        raise QueryRefused(f"{form_code!r} is not a queryable form of the {visit.label} visit.")
    if field_name not in dict(fields_of(form_code)):
        raise QueryRefused(f"{form_code} has no field {field_name!r}.")
    if not question.strip():
        raise QueryRefused("A query needs a question.")
    query = DataQuery(
        participant=participant,
        visit_code=visit_code,
        form_code=form_code,
        field_name=field_name,
        question=question.strip(),
        raised_by=user,
        assigned_to=_enterer(participant, visit_code, form_code),
    )
    query.save(reason="query raised")
    note_saved(query, user)
    return query


def _enterer(participant: Participant, visit_code: str, form_code: str) -> object | None:
    response = InstrumentResponse.objects.filter(
        participant=participant, visit_code=visit_code, instrument=form_code
    ).first()
    return response.entered_by if response else None


@transaction.atomic
def answer_query(query: DataQuery, answer: str, user: object) -> DataQuery:
    query = DataQuery.objects.select_for_update().get(pk=query.pk)
    if query.status != QueryStatus.OPEN:
        raise QueryRefused(f"This query is {query.get_status_display().lower()}, not open.")
    if query.assigned_to_id is not None and query.assigned_to_id != getattr(user, "pk", None):
        raise QueryRefused("This query is for the person who entered the data.")
    if not answer.strip():
        raise QueryRefused("An answer is required.")
    query.answer = answer.strip()
    query.status = QueryStatus.ANSWERED
    query.answered_by = user
    query.answered_at = timezone.now()
    query.save(reason="query answered")
    note_saved(query, user)
    return query


@transaction.atomic
def close_query(query: DataQuery, resolution: str, user: object) -> DataQuery:
    """Close an answered query (or withdraw an open one); both need a resolution."""
    query = DataQuery.objects.select_for_update().get(pk=query.pk)
    if query.status == QueryStatus.CLOSED:
        raise QueryRefused("This query is already closed.")
    if not resolution.strip():
        raise QueryRefused("Say how the query was resolved.")
    query.status = QueryStatus.CLOSED
    query.resolution = resolution.strip()
    query.closed_by = user
    query.closed_at = timezone.now()
    query.save(reason="query closed")
    note_saved(query, user)
    settle_after_queries(query)
    return query


@transaction.atomic
def reopen_query(query: DataQuery, reason: str, user: object) -> DataQuery:
    """An answer that does not settle it: back to the enterer with the reason."""
    query = DataQuery.objects.select_for_update().get(pk=query.pk)
    if query.status != QueryStatus.ANSWERED:
        raise QueryRefused("Only an answered query can be sent back.")
    if not reason.strip():
        raise QueryRefused("Say why the answer does not settle the query.")
    query.status = QueryStatus.OPEN
    query.question = f"{query.question}\n[sent back] {reason.strip()}"
    query.save(reason="query sent back")
    note_saved(query, user)
    return query
