"""The one HTTP expectation helper: a response with the status a step expects, or a failure that
carries the call (method, URL, status, masked body) so the report shows what the stack answered."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from .http import describe

if TYPE_CHECKING:
    from .session import Session


def expect(response: httpx.Response, status: int | tuple[int, ...], session: Session, what: str) -> Any:
    """The JSON body of a response with the expected status, or a failure carrying the call's data."""
    wanted = (status,) if isinstance(status, int) else status
    if response.status_code not in wanted:
        raise AssertionError(f"{what}: esperava HTTP {'/'.join(map(str, wanted))}, veio "
                             f"{describe(response, session.masker)}")
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise AssertionError(f"{what}: a resposta não é JSON: {describe(response, session.masker)}") from None
