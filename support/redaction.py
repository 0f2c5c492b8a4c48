"""Masking at behave's edges: whatever a step raises, prints or logs reaches the console, the HTML and the
JUnit reports already masked (passwords, tokens, JWTs, `.p12` password: see `masking.Masker`).

behave 1.3 turns a step's exception into `step.error_message` *after* the `after_step` hook has run, and
the formatters (console, HTML) render it at once, so masking in a hook comes too late. Instead:

- `install(masker)` wraps `behave.matchers.Match.run` (the call of every step function): an exception
  leaving a step has its message (and those of its chained exceptions) masked in place before behave
  formats it; `print()` inside a step goes through a masking stream;
- a log-record factory masks every logging message of the process (behave captures logging into the
  reports).

Installed once by the hooks in `before_all`, with the session's masker (which learns each token as
the suite obtains it).
"""
from __future__ import annotations

import logging
import sys
from typing import Any

from .masking import Masker

_state: dict[str, Any] = {"masker": None, "installed": False}


class MaskingStream:
    """A text stream that masks what is written through it (for print() inside steps)."""

    def __init__(self, stream, masker: Masker):
        self._stream = stream
        self._masker = masker

    def write(self, text: str) -> int:
        self._stream.write(self._masker.text(text) if isinstance(text, str) else text)
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def mask_exception(exc: BaseException, masker: Masker) -> BaseException:
    """Mask the message of `exc` and of its cause/context chain, in place. Returns the exception to
    raise: `exc` itself, or a masked stand-in when its type renders text that does not come from args."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        try:
            current.args = tuple(masker.text(a) if isinstance(a, str) else a for a in current.args)
        except (AttributeError, TypeError):
            pass
        notes = getattr(current, "__notes__", None)
        if isinstance(notes, list):
            current.__notes__ = [masker.text(n) for n in notes]
        current = current.__cause__ or current.__context__
    try:
        text = str(exc)
    except Exception:
        return exc
    masked = masker.text(text)
    if masked == text:
        return exc
    if isinstance(exc, AssertionError):
        return AssertionError(masked)
    return RuntimeError(f"{type(exc).__name__}: {masked}")


def _masked_run(original):
    def run(self, context):
        masker: Masker | None = _state["masker"]
        if masker is None:
            return original(self, context)
        out, err = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = MaskingStream(out, masker), MaskingStream(err, masker)
        try:
            return original(self, context)
        except BaseException as exc:
            replacement = mask_exception(exc, masker)
            if replacement is exc:
                raise
            raise replacement from None
        finally:
            sys.stdout, sys.stderr = out, err

    run.__xpory_original__ = original
    return run


def _install_log_factory() -> None:
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        masker: Masker | None = _state["masker"]
        if masker is None:
            return record
        try:
            message = record.getMessage()
        except Exception:
            return record
        masked = masker.text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return record

    logging.setLogRecordFactory(factory)


def current_masker() -> Masker | None:
    """The run's masker once installed (None before before_all)."""
    return _state["masker"]


def install(masker: Masker) -> None:
    """Mask step failures, step output and logging with `masker` from now on (idempotent)."""
    _state["masker"] = masker
    if _state["installed"]:
        return
    from behave import matchers

    current = matchers.Match.run
    matchers.Match.run = _masked_run(getattr(current, "__xpory_original__", current))
    _install_log_factory()
    _state["installed"] = True
