"""Audit-trail review for data managers, monitors and the PI: filters, paging, CSV copy.

Blinded values never reach this page: they are written to the trail as ``<sealed>``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from trial.access.policy import requires
from trial.audit.chain import CHAINED_COLUMNS
from trial.audit.recorder import record
from trial.audit.sequencer import seal_pending
from trial.csv_safety import SafeWriter
from trial.models.audit import AuditAction, AuditEntry
from trial.selectors.audit import anchor_status, visible_audit_entries
from trial.widgets import DatePicker

# The export carries every hashed column, so a copy can be re-verified outside the system.
CSV_COLUMNS = CHAINED_COLUMNS


class AuditFilterForm(forms.Form):
    subject = forms.CharField(label=_("Participant"), required=False, max_length=32)
    username = forms.CharField(label=_("User"), required=False, max_length=150)
    field = forms.CharField(label=_("Field"), required=False, max_length=100)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any")), *AuditAction.choices]
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DatePicker())
    date_to = forms.DateField(label=_("To"), required=False, widget=DatePicker())

    def filter(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        data = self.cleaned_data
        if data.get("subject"):
            entries = entries.filter(subject__iexact=data["subject"])
        if data.get("username"):
            entries = entries.filter(username__iexact=data["username"])
        if data.get("field"):
            entries = entries.filter(field__iexact=data["field"])
        if data.get("action"):
            entries = entries.filter(action=data["action"])
        # Dates are UTC days, as displayed (the trial's local time zone does not apply here).
        if data.get("date_from"):
            start = dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=dt.UTC)
            entries = entries.filter(occurred_at__gte=start)
        if data.get("date_to"):
            end = dt.datetime.combine(data["date_to"], dt.time.min, tzinfo=dt.UTC)
            entries = entries.filter(occurred_at__lt=end + dt.timedelta(days=1))
        return entries


@requires("trial.view_audit_trail")
def audit_review(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    entries = visible_audit_entries(request.user).order_by("-id")
    if form.is_valid():
        entries = form.filter(entries)
    if request.GET.get("format") == "csv" and form.is_valid():
        return _csv_response(request, entries, form)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "trial/audit_review.html",
        {"form": form, "page": page, "query": query.urlencode(), "anchor": anchor_status()},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_response(
    request: HttpRequest, entries: QuerySet[AuditEntry], form: AuditFilterForm
) -> StreamingHttpResponse:
    """Stream the filtered trail (ascending) without loading it into memory; the copy is audited."""
    filters = {k: str(v) for k, v in form.cleaned_data.items() if v}
    record(AuditAction.EXPORT, object_type="trial.AuditEntry", reason=f"audit trail copy {filters}")
    writer = SafeWriter(_Echo())

    seal_pending()  # the copy carries every row's chain position and hash

    def rows() -> Iterator[str]:
        yield writer.writerow(CSV_COLUMNS)
        ordered = entries.order_by("seq", "id").values_list(*CSV_COLUMNS)
        for values in ordered.iterator(chunk_size=2000):
            yield writer.writerow(values)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response
