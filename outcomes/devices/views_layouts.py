"""Import layouts (``ImportProfile``): how a site's DynaMo or Manage My Pain export names its
columns. The vendors' layouts are not public, so a site adds one per export format it receives."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outcomes.imports.profiles import DEFAULT_PROFILES
from outcomes.imports.service import default_profile
from outcomes.models import ImportKind, ImportProfile
from trial.access.policy import requires

KINDS = {"dynamo": ImportKind.DYNAMO, "mmp": ImportKind.MMP}


def _fields(kind: str) -> list[str]:
    return list(next(p for p in DEFAULT_PROFILES if p["kind"] == kind)["columns"])


class LayoutForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the layout"), max_length=64)
    delimiter = forms.CharField(label=gettext_lazy("Delimiter"), max_length=1, initial=",",
                                strip=False)  # fmt: skip
    datetime_format = forms.CharField(
        label=gettext_lazy("Date-time format"),
        max_length=32,
        initial="%Y-%m-%d %H:%M",
        help_text=gettext_lazy("Python strftime codes, e.g. %d/%m/%Y %H:%M."),
    )
    is_default = forms.BooleanField(label=gettext_lazy("Use by default"), required=False)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)

    def __init__(self, kind: str, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.columns = _fields(kind)
        defaults = default_profile(kind).columns
        for field in self.columns:
            self.fields[f"col_{field}"] = forms.CharField(
                label=_("Column for %(field)s") % {"field": field},
                max_length=100,
                initial=defaults.get(field, ""),
                required=False,
            )


@requires("trial.import_device_data")
def import_layouts(request: HttpRequest, kind: str) -> HttpResponse:
    source = KINDS.get(kind)
    if source is None:
        raise Http404
    default_profile(source)  # make sure the built-in layout is listed
    form = LayoutForm(source, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        columns = {f: data[f"col_{f}"].strip() for f in form.columns if data[f"col_{f}"].strip()}
        try:
            with transaction.atomic():
                if data["is_default"]:
                    for old in ImportProfile.objects.filter(kind=source, is_default=True):
                        old.is_default = False
                        old.save(reason=f"new default layout: {data['reason']}")
                ImportProfile(
                    kind=source,
                    name=data["name"].strip(),
                    columns=columns,
                    datetime_format=data["datetime_format"],
                    delimiter=data["delimiter"],
                    is_default=data["is_default"],
                ).save(reason=data["reason"])
        except IntegrityError:
            form.add_error("name", _("A layout with this name exists for this source."))
        else:
            messages.success(request, _("Layout saved."))
            return redirect("outcomes:import_layouts", kind=kind)
    layouts = ImportProfile.objects.filter(kind=source).order_by("-is_default", "name")
    return render(
        request,
        "outcomes/import_layouts.html",
        {"form": form, "kind": kind, "source": source, "layouts": layouts},
    )
