"""What every admin screen that writes has in common.

- ``IdempotentForm``: a hidden UUID made when the form is rendered; the view
  runs the service through ``run_idempotent`` with it, so a double submit (or a
  reload of the POST) creates one document and answers with the first one.
- ``apply_errors``: a refused service call or serializer shown on the form,
  each message under the field it is about (``lines.0.state`` -> ``state_0``),
  instead of one "Invalid input." at the top.
- ``ServicePage``: the small template context every admin form page needs."""

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from rest_framework import serializers

from apps.core.exceptions import ApplicationError
from apps.core.idempotency import IdempotentResult, run_idempotent
from apps.core.permissions import role_of

KEY_FIELD = "idempotency_key"


class IdempotentForm(forms.Form):
    """A form whose submission is carried out at most once."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault(KEY_FIELD, uuid.uuid4())

    def key(self) -> uuid.UUID:
        return self.cleaned_data[KEY_FIELD]


def run_once(form: IdempotentForm, *, scope: str, payload: Any, user, action: Callable[[], dict]) -> IdempotentResult:
    """``run_idempotent`` with the form's key; the payload must be plain JSON."""
    return run_idempotent(key=form.key(), scope=scope, payload=payload, user=user, action=action)


def _messages(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, (list, tuple)):
        return [m for v in value for m in _messages(v)]
    return [str(value)]


def _flatten(value: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    """{"lines": {0: {"state": ["x"]}}} -> [(("lines", 0, "state"), "x")]"""
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            out += _flatten(v, path + (int(k) if str(k).isdigit() else k,))
        return out
    if isinstance(value, (list, tuple)) and any(isinstance(v, (dict, list, tuple)) for v in value):
        out = []
        for i, v in enumerate(value):  # DRF: a list with one entry per line ({} when fine)
            out += _flatten(v, path + (i,))
        return out
    return [(path, m) for m in _messages(value)]


def apply_errors(form: forms.Form, exc: Exception, field_for: Callable[[tuple], str | None] | None = None) -> None:
    """Put a service's or serializer's refusal on the form.

    ``field_for(path)`` names the form field for a path such as
    ``("lines", 2, "state")``; by default the path's first part is the field
    when the form has one. Anything that fits no field goes on top, with the
    path spelled out so the message still says what it is about."""
    if isinstance(exc, serializers.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {None: exc.detail}
        detail = None
    elif isinstance(exc, ApplicationError):
        fields = exc.extra.get("fields") or {}
        detail = None if fields else str(exc.detail)
    else:
        raise exc
    for path, message in _flatten(fields):
        name = field_for(path) if field_for else None
        if name is None and path and path[0] in form.fields and len(path) == 1:
            name = path[0]
        if name is not None and name in form.fields:
            form.add_error(name, message)
        else:
            label = ".".join(str(p) for p in path if p is not None)
            form.add_error(None, f"{label}: {message}" if label else message)
    if detail:
        form.add_error(None, detail)


def require_role(request, *allowed: str) -> None:
    """Custom admin pages: the role may use this page at all (the service checks again)."""
    if role_of(request.user) not in allowed:
        raise PermissionDenied


def form_page(model_admin, request, *, title: str, form, intro: str = "", obj=None, extra: dict | None = None,
              template: str = "admin/lpg/form_page.html", submit: str = "Save") -> TemplateResponse:  # fmt: skip
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "intro": intro,
        "object": obj,
        "opts": model_admin.model._meta,
        "submit_label": submit,
        **(extra or {}),
    }
    return TemplateResponse(request, template, context)
