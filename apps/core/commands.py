"""One write path for online and offline writes.

A ``Command`` names one write: its input serializer (validation and the
canonical form that is fingerprinted), the policy that says whether the actor's
role may make it at all, the service that makes it, and the output serializer
of its answer. The command's name is its idempotency scope, and for a command
the phone can send offline also its sync event type. The API views
(``command_create``) and the sync event handlers (``sync_command``) are both
built from the registry, so an offline event and an online call run the same
code: the same role gate, the same validation, the same key space bound to the
same user, the same service and the same errors.

Each app declares its commands in ``apps/<app>/commands.py`` with
``register(Command(...))``; the registry imports those modules on first use.

Order of the checks, online and offline alike: the role gate (403); online
the body parsed (400 ``parse_error``) and the key (428, 400 when not a
UUID); the key's record when this user sent exactly this body with it before
(the stored answer, replayed without validating again: a replayed backlog
costs one read per event); the input (400 ``invalid`` with ``fields``); the
key's record again (replay of the same request in another form, or 409
``idempotency_conflict``); then the service, in one transaction with the
key's record."""

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.utils.module_loading import autodiscover_modules
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.core.db import retry_on_conflict
from apps.core.exceptions import ValidationFailed
from apps.core.idempotency import (
    IDEMPOTENCY_KEY_PARAMETER,
    IdempotentResult,
    fingerprint,
    replay_sent,
    require_key,
    run_idempotent,
)


class CommandInput(Protocol):
    """What a command's input serializer offers once valid."""

    def canonical(self) -> dict:
        """The request as plain JSON (ids, strings): the idempotency fingerprint."""
        ...  # pragma: no cover

    def service_kwargs(self) -> dict:
        """Keyword arguments for the service (typed line inputs, model instances)."""
        ...  # pragma: no cover


def _allow_all(actor: Any) -> None:
    return None


@dataclass(frozen=True)
class Command:
    """One write, online and offline.

    ``authorize(actor)`` is the app's policy gate (``policies.py``), raised
    before the body is read so a refused role is 403 whatever it sent; the
    service calls the same policy again with the objects (vehicle, depot, ...).
    ``service(actor=..., [occurred_at=...], **input.service_kwargs())`` returns
    the object that ``output`` renders. ``sync_event``: the phone may send it as
    an offline event of type ``name`` (its ``occurred_at`` then reaches the
    service).

    ``prepare(actor=..., **kwargs)``, when given, runs before the
    transaction, with no row locked, and returns more keyword arguments for
    the service: slow reading and computing (the dispatch solver) that must
    not hold the write lock (SQLite's BEGIN IMMEDIATE takes it at once) or a
    long transaction open. The service then checks under its locks that
    what was prepared still holds."""

    name: str
    input: type[serializers.Serializer]
    service: Callable[..., Any]
    output: type[serializers.Serializer]
    authorize: Callable[[Any], None] = _allow_all
    sync_event: bool = False
    status_code: int = 201
    prepare: Callable[..., dict] | None = None

    def validate(self, *, actor: Any, payload: Any) -> CommandInput:
        """The payload through the input serializer; a bad one is 400 ``invalid`` with ``fields``."""
        data = self.input(data=payload, context={"actor": actor})
        if not data.is_valid():
            # plain JSON (ErrorDetail -> str), so the sync path can store it as it is
            raise ValidationFailed(json.loads(json.dumps(data.errors)))
        return data  # type: ignore[return-value]

    def submit(
        self, *, actor: Any, payload: Any, key: uuid.UUID | None, occurred_at: datetime | None = None
    ) -> IdempotentResult:
        """Gate, validate, then run the service at most once per key (bound to
        ``actor``). The same body sent again with the same key is answered from
        the key's record before validation (a replay costs one read)."""
        self.authorize(actor)
        sent = fingerprint(self.name, payload)
        seen = replay_sent(key=key, scope=self.name, request_fingerprint=sent, user=actor)
        if seen.result is not None:
            return seen.result
        data = self.validate(actor=actor, payload=payload)
        when = {"occurred_at": occurred_at} if occurred_at is not None else {}
        kwargs = {**when, **data.service_kwargs()}
        if self.prepare is not None:
            kwargs |= self.prepare(actor=actor, **kwargs)
        return run_idempotent(
            key=key,
            scope=self.name,
            payload=data.canonical(),
            user=actor,
            status_code=self.status_code,
            action=lambda: self.render(self.service(actor=actor, **kwargs)),
            request_fingerprint=sent,
            record=seen.record,
        )

    def render(self, result: Any) -> dict:
        return self.output(result).data

    def respond(self, request) -> Response:
        """The API answer: the gate, the body parsed (400 ``parse_error``), the
        required Idempotency-Key (428), then ``submit``."""
        self.authorize(request.user)
        payload = request.data
        key = require_key(request)
        result = self.submit(actor=request.user, payload=payload, key=key)
        return Response(
            result.body, status=result.status_code, headers={"Idempotent-Replayed": str(result.replayed).lower()}
        )


_REGISTRY: dict[str, Command] = {}
_discovered = False


def register(command: Command) -> Command:
    existing = _REGISTRY.get(command.name)
    if existing is not None and existing != command:
        raise RuntimeError(f"Two commands named {command.name!r}.")
    _REGISTRY[command.name] = command
    return command


def registry() -> Mapping[str, Command]:
    """Every command of every installed app (their ``commands`` modules imported once)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("commands")
        _discovered = True
    return _REGISTRY


def command(name: str) -> Command:
    return registry()[name]


def sync_command(event_type: str) -> Command | None:
    """The command an offline event of this type runs, or None (``unknown_event_type``)."""
    found = registry().get(event_type)
    return found if found is not None and found.sync_event else None


def sync_event_types() -> list[str]:
    return sorted(name for name, c in registry().items() if c.sync_event)


def command_create(cmd: Command):
    """A DRF ``create`` method (ViewSet) that runs ``cmd``, with its schema."""

    @extend_schema(request=cmd.input, responses={cmd.status_code: cmd.output}, parameters=[IDEMPOTENCY_KEY_PARAMETER])
    @retry_on_conflict  # the one place every write handler is retried (apps/core/db.py)
    def create(view, request, *args, **kwargs):
        return cmd.respond(request)

    create.__qualname__ = f"command({cmd.name}).create"  # how the URL-conf walks name it
    return create
