"""The kinds of refusal a command in the shared package can raise.

Every command (save a need, decide a proposal, run an import, invite …) checks permission,
validates, writes, audits and enqueues, and says no by raising one of these. Front ends translate
by kind, never by message: a page shows a form message or a 4xx page, the API a problem+json with
the status below, the CLI an exit code. Each concrete error (``AlreadyDecided``, ``InputError``,
``InvitationError`` …) stays in its feature's module and subclasses the kind that fits it, so a
new error needs no new branch in any front end.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal of ours, said in words the API can return as they are (pages translate)."""

    #: The HTTP status the API answers with; pages use it for their own error page. (Not
    #: ``status``: ``AlreadyDecided.status`` is the status the row has now.)
    http_status: int = 400
    #: The CLI's exit code: 1, as click's own refusals; 2 where an error says the command was
    #: used wrongly (click's usage errors; ``accounts.first`` marks its own).
    exit_code: int = 1


class NotAllowed(DomainError):  # noqa: N818 - a refusal, named as the reader hears it
    """The acting person may not do this here (role, regency, ownership)."""

    http_status = 403


class NotFound(DomainError):  # noqa: N818 - a refusal, named as the reader hears it
    """What the command names does not exist (or is not visible to the person)."""

    http_status = 404


class Invalid(DomainError):  # noqa: N818 - a refusal, named as the reader hears it
    """The input does not hold; ``errors`` names each field, when a form can place them."""

    http_status = 422

    def __init__(self, message: str = "", errors: dict[str, str] | None = None) -> None:
        self.errors = dict(errors or {})
        super().__init__(message or "; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class Conflict(DomainError):  # noqa: N818 - a refusal, named as the reader hears it
    """The state moved on (someone decided first, a duplicate exists, a lock is held)."""

    http_status = 409


class TooMany(DomainError):  # noqa: N818 - a refusal, named as the reader hears it
    """A quota refuses for now; ``retry_after`` seconds tells the reader when to try again."""

    http_status = 429

    def __init__(self, message: str = "", retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotPermitted(NotAllowed, PermissionError):  # noqa: N818 - as the kinds above
    """``NotAllowed`` said where callers still catch ``PermissionError`` (imports, synonyms,
    opening registration)."""


class Missing(NotFound, LookupError):  # noqa: N818 - as the kinds above
    """``NotFound`` said where callers still catch ``LookupError``."""
