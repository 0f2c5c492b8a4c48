"""What the suite knows of the stack's state during the run (`Session.reset_state`).

The reset phases (`support.reset.phases`) keep it, the debug import records the policy it ran under,
and purchases (`support.trading`) record the offers they used; a reset that starts over from phase 1
forgets all of it, since nothing known of the old state holds any more.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from ..documented import doc


@dataclass(slots=True)
class ResetState:
    phase: int | None = field(default=None, metadata=doc(
        "how far the reset went: the number of the last reset phase done (support.reset.phases.PHASES, from 1); "
        "None at the start of the run or when a scenario left the stack outside the reset sequence"))
    categories: list[dict] | None = field(default=None, metadata=doc(
        "the CP's category snapshot read right after the full reset (None: not read since the last reset)"))
    entities: list[dict] | None = field(default=None, metadata=doc(
        "the CP's entity snapshot read right after the full reset (None: not read since the last reset)"))
    imported_under: dict | None = field(default=None, metadata=doc(
        "the export_policy the exporter's cache held when the importer's last debug import ran"))
    offers_bought: set[int] = field(default_factory=set, metadata=doc(
        "storefront ids of the imported offers already bought since the last reset (never bought twice)"))

    def forget(self) -> None:
        """A new reset: every field back to its default."""
        fresh = ResetState()
        for item in fields(self):
            setattr(self, item.name, getattr(fresh, item.name))
