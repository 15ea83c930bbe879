"""Typed wrappers of Flask-Login's decorators (it ships no type hints)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from flask_login import login_required as _login_required

View = TypeVar("View", bound=Callable[..., object])


def login_required(view: View) -> View:
    """Send anonymous visitors to the sign-in page, keeping where they wanted to go."""
    return cast(View, _login_required(view))
