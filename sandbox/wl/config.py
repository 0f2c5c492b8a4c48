"""Per-process configuration of a WL node, derived from `sandbox.settings.Settings` and a role."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from ..personality import BY_NAME
from ..settings import Settings, SettingsError

ROLES = ("exporter", "importer")


@dataclass
class WLConfig:
    role: str
    settings: Settings
    wl_id: str
    peer_wl_id: str
    database: str
    node_id: str
    name: str
    exporters: list = field(default_factory=list)
    relationship_peers: list = field(default_factory=list)
    jwks_url: str = ""
    peer_urls: dict = field(default_factory=dict)

    @property
    def dsn(self) -> str:
        dsn = os.environ.get("SANDBOX_WL_DSN") or self.settings.dsn(self.database)
        path = BY_NAME[self.settings.personality].search_path  # the canonical names, as views (personality b)
        return f"{dsn}{'&' if '?' in dsn else '?'}options=-csearch_path%3D{path.replace(',', '%2C')}" if path else dsn

    @property
    def own_url(self) -> str:
        return self.settings.exporter_url if self.role == "exporter" else self.settings.importer_url


def _exporters(settings: Settings, role: str) -> list:
    raw = os.environ.get("SANDBOX_EXPORTERS_JSON") or os.environ.get("APP_CP_EXPORTERS_JSON_OVERRIDE")
    if raw:
        try:
            items = json.loads(raw)
        except ValueError as exc:
            raise SettingsError(f"SANDBOX_EXPORTERS_JSON is not JSON ({exc}); example: "
                                '[{"id":"<wl id>","name":"wl-exporter","baseUrl":"http://127.0.0.1:18081",'
                                '"path":"/api/v2/control-plane/export/offers?importerWlId=<importer id>"}]') from None
        if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("id") and i.get("baseUrl")
                                                   for i in items):
            raise SettingsError("SANDBOX_EXPORTERS_JSON must be a JSON array of {id, name, baseUrl, path}")
        return items
    if role != "importer":
        return []
    return [{
        "id": settings.exporter_wl_id,
        "name": "wl-exporter",
        "baseUrl": settings.exporter_url,
        "path": f"/api/v2/control-plane/export/offers?importerWlId={settings.importer_wl_id}",
    }]


def _peers(settings: Settings) -> list:
    raw = os.environ.get("SANDBOX_RELATIONSHIP_PEERS") or os.environ.get("APP_CP_RELATIONSHIP_PEERS")
    if raw:
        pairs = []
        for part in raw.split(","):
            part = part.strip()
            if not part:
                continue
            if part.count(":") != 1:
                raise SettingsError(f"SANDBOX_RELATIONSHIP_PEERS entry {part!r} is not src:dst "
                                    "(example: SANDBOX_RELATIONSHIP_PEERS=<exporter id>:<importer id>)")
            src, dst = part.split(":")
            pairs.append((src.strip(), dst.strip()))
        return pairs
    e, i = settings.exporter_wl_id, settings.importer_wl_id
    return [(e, i), (i, e)]


def load(role: str, settings: Settings | None = None) -> WLConfig:
    if role not in ROLES:
        raise SettingsError(f"unknown WL role {role!r}; use one of {', '.join(ROLES)}")
    settings = settings or Settings.from_env()
    exporter = role == "exporter"
    cfg = WLConfig(
        role=role,
        settings=settings,
        wl_id=settings.exporter_wl_id if exporter else settings.importer_wl_id,
        peer_wl_id=settings.importer_wl_id if exporter else settings.exporter_wl_id,
        database="wl-01" if exporter else "wl-03",
        node_id="wl-exporter" if exporter else "wl-importer",
        name="wl-exporter" if exporter else "wl-importer",
        exporters=_exporters(settings, role),
        relationship_peers=_peers(settings),
        jwks_url=os.environ.get("SANDBOX_CP_JWKS_URL") or f"{settings.cp_admin_url}/.well-known/jwks.json",
        peer_urls={settings.exporter_wl_id: settings.exporter_url, settings.importer_wl_id: settings.importer_url},
    )
    return cfg
