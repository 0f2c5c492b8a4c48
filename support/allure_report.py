"""Allure results next to JUnit and HTML: allure-behave's formatter, writing `<reports>/allure-results/`
through the run's masker.

allure-behave writes one JSON file per scenario (steps, status, failure message and traceback) and
one file per attachment. Everything it writes passes through `MaskingFileLogger` first: every string
of a result (names, messages, traces, parameters) goes through the masker the hooks installed
(`support.redaction`, which knows the run's passwords and tokens, JWTs and bearer credentials), text
attachments are masked, and a Playwright trace attached as a file is masked member by member (like
the one kept in the evidence folder). Images are kept as they are.

`support/reports.py` adds the formatter to every run (`-D allure=` turns it off; `-D allure=<pasta>`
picks another folder). The failure evidence (HTTP log, World, screenshot, trace) and the notes of
long waits reach it through `attach_text()` / `attach_file()` (support/evidence.py).
"""
from __future__ import annotations

import io
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import allure_commons
from allure_behave.formatter import AllureFormatter
from allure_behave.listener import AllureListener
from allure_commons.logger import AllureFileLogger
from allure_commons.utils import get_testplan
from attr import asdict
from behave.formatter.base import Formatter

from .redaction import current_masker

RESULTS = "allure-results"
TEXT_SUFFIXES = (".txt", ".log", ".json", ".csv", ".xml", ".html", ".uri")


def _masked(value: Any) -> Any:
    masker = current_masker()
    if masker is None:
        return value
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, str):
        return masker.text(value)
    return value


def _masked_body(body: bytes | str, file_name: str) -> bytes:
    if isinstance(body, str):
        return _masked(body).encode("utf-8")
    if file_name.lower().endswith(TEXT_SUFFIXES):
        try:
            return _masked(body.decode("utf-8")).encode("utf-8")
        except UnicodeDecodeError:
            pass
    return body


class MaskingFileLogger(AllureFileLogger):
    """allure-commons' file writer, with every result and text attachment masked before it is written."""

    def _write(self, file_name: str, data: bytes) -> None:
        tmp = self._report_dir / f"{file_name}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, self._report_dir / file_name)

    def _report_item(self, item) -> None:
        data = _masked(asdict(item, filter=lambda _, v: v or v is False))
        with io.StringIO() as out:
            json.dump(data, out, ensure_ascii=False)
            self._write(item.file_pattern.format(prefix=uuid.uuid4()), out.getvalue().encode("utf-8"))

    @allure_commons.hookimpl
    def report_attached_data(self, body, file_name) -> None:
        self._write(file_name, _masked_body(body, file_name))

    @allure_commons.hookimpl
    def report_attached_file(self, source, file_name) -> None:
        source = Path(source)
        if source.suffix.lower() == ".zip":
            from .ui.evidence import mask_trace

            tmp = self._report_dir / f"{file_name}.tmp.zip"
            shutil.copy2(source, tmp)
            masker = current_masker()
            if masker is not None:
                mask_trace(tmp, masker)
            os.replace(tmp, self._report_dir / file_name)
            return
        self._write(file_name, _masked_body(source.read_bytes(), file_name))


class MaskedAllureFormatter(AllureFormatter):
    """allure-behave's formatter with the masking file writer (`-f allure -o <pasta>`)."""

    name = "allure"
    description = "Resultados Allure (allure-behave), mascarados"

    def __init__(self, stream_opener, config, clean: bool = False):
        Formatter.__init__(self, stream_opener, config)
        self.listener = AllureListener(config)
        self.file_logger = MaskingFileLogger(self.stream_opener.name, clean=clean)
        allure_commons.plugin_manager.register(self.listener)
        allure_commons.plugin_manager.register(self.file_logger)
        self.testplan = get_testplan()


def attach_text(name: str, text: str) -> None:
    """Attach text to the current Allure step (or scenario); nothing when no Allure formatter runs."""
    import allure

    try:
        allure.attach(text, name=name, attachment_type=allure.attachment_type.TEXT)
    except Exception:
        pass  # a report problem must never hide the scenario's own result


def attach_file(path: Path, name: str | None = None) -> None:
    import allure

    types = {".png": allure.attachment_type.PNG, ".jpg": allure.attachment_type.JPG,
             ".json": allure.attachment_type.JSON, ".log": allure.attachment_type.TEXT,
             ".txt": allure.attachment_type.TEXT}
    path = Path(path)
    try:
        kind = types.get(path.suffix.lower())
        extension = None if kind is not None else path.suffix.lstrip(".") or None
        allure.attach.file(str(path), name=name or path.name, attachment_type=kind, extension=extension)
    except Exception:
        pass
