"""The CP governance poller: `cp_relationship_cache` and `cp_policy_cache`.

Every `settings.relationship_poll_seconds` (and once at start, and on demand by the debug import when a
cache is empty) the node pulls, over mTLS:
  * `GET {cp}/relationships/{src}/{dst}` for every configured peer pair (both directions between the
    exporter and the importer by default; `SANDBOX_RELATIONSHIP_PEERS=src:dst,...` overrides);
  * `GET {cp}/wls/{id}/policies` for every WL id appearing in those pairs.

Overwrite rule (so the runbook's manual `UPDATE cp_relationship_cache SET export_policy=...` stays in
force): each row remembers the fingerprint (sha256 of the CP relationship's fields + `updatedAt`, without
the signature) of the last pull. A pull rewrites the row only when the CP's fingerprint differs from the
remembered one, i.e. when the relationship changed on the CP since the last pull; otherwise it only
touches `fetched_at`. A 404 from the CP leaves the row as it is.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading

from .cp_client import CPError

log = logging.getLogger("xpory.core.controlplane")

REL_FIELDS = ("status", "fxRate", "limitAmount", "approvalMode", "manualApprovalAboveAmount",
              "manualApprovalAboveQty", "manualApprovalOnFirstTrade", "manualApprovalOnImbalance",
              "exportPolicy", "updatedAt")


def _pick(data: dict, *keys):
    for key in keys:
        if key in data and data[key] is not None:
            return data[key]
    return None


def fingerprint(data: dict, fields=None) -> str:
    subset = {k: v for k, v in data.items() if k != "signature"} if fields is None else \
        {k: _pick(data, k, _snake(k)) for k in fields}
    return hashlib.sha256(json.dumps(subset, sort_keys=True, default=str).encode()).hexdigest()


def _snake(key: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in key)


def _verify(data: dict, secret: str) -> bool:
    sig = data.get("signature")
    value = sig.get("value") if isinstance(sig, dict) else sig
    if not value or not secret:
        return False
    body = {k: v for k, v in data.items() if k != "signature"}
    for separators in ((",", ":"), (", ", ": ")):
        text = json.dumps(body, sort_keys=True, separators=separators, ensure_ascii=False, default=str)
        digest = base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()).decode()
        if hmac.compare_digest(digest, str(value)):
            return True
    return False


def _policy_text(rel: dict) -> str | None:
    policy = rel.get("export_policy", rel.get("exportPolicy"))
    if policy is None:
        return None
    if isinstance(policy, str):
        return policy
    return json.dumps(policy, ensure_ascii=False)


class GovernancePoller:
    def __init__(self, cfg, db, cp):
        self.cfg = cfg
        self.db = db
        self.cp = cp
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="cp-governance-poller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.refresh()
            except Exception as exc:  # never let the poller die
                log.warning("CP governance pull failed: %s", exc)
            self._stop.wait(max(0.05, float(self.cfg.settings.relationship_poll_seconds)))

    def refresh(self) -> dict:
        """Pull every configured relationship and policy now; returns counts."""
        with self._lock:
            counts = {"relationships": 0, "relationshipsChanged": 0, "policies": 0, "errors": []}
            for src, dst in self.cfg.relationship_peers:
                try:
                    rel = self.cp.relationship(src, dst)
                except CPError as exc:
                    counts["errors"].append(str(exc))
                    continue
                if rel is None:
                    continue
                counts["relationships"] += 1
                if self.store_relationship(src, dst, rel):
                    counts["relationshipsChanged"] += 1
            ids = []
            for pair in self.cfg.relationship_peers:
                for wl in pair:
                    if wl not in ids:
                        ids.append(wl)
            for wl in ids:
                try:
                    pol = self.cp.policies(wl)
                except CPError as exc:
                    counts["errors"].append(str(exc))
                    continue
                if pol is None:
                    continue
                self.store_policy(wl, pol)
                counts["policies"] += 1
            self.last_error = counts["errors"][0] if counts["errors"] else None
            if counts["errors"]:
                log.warning("CP governance pull: %s", "; ".join(counts["errors"][:3]))
            return counts

    def store_relationship(self, src: str, dst: str, rel: dict) -> bool:
        fp = fingerprint(rel, REL_FIELDS)
        sig = rel.get("signature")
        values = dict(
            src=src, dst=dst,
            status=(str(_pick(rel, "status") or "").lower() or None),
            fx=_pick(rel, "fxRate", "fx_rate"),
            limit=_pick(rel, "limitAmount", "imbalance_limit", "limit_amount"),
            mode=(str(_pick(rel, "approvalMode", "approval_mode") or "MANUAL").upper()),
            above_amount=_pick(rel, "manualApprovalAboveAmount", "manual_approval_above_amount"),
            above_qty=_pick(rel, "manualApprovalAboveQty", "manual_approval_above_qty"),
            first=bool(_pick(rel, "manualApprovalOnFirstTrade", "manual_approval_on_first_trade") or False),
            imbalance=bool(_pick(rel, "manualApprovalOnImbalance", "manual_approval_on_imbalance") or False),
            policy=_policy_text(rel),
            updated=str(_pick(rel, "updatedAt", "updated_at") or ""),
            fp=fp,
            sig=json.dumps(sig) if sig is not None else None,
            verified=_verify(rel, self.cfg.settings.governance_secret),
            payload=json.dumps(rel, default=str),
        )
        with self.db.tx() as conn:
            changed = conn.execute(
                "INSERT INTO cp_relationship_cache (source_white_label_id, target_white_label_id, status, fx_rate,"
                " limit_amount, approval_mode, manual_approval_above_amount, manual_approval_above_qty,"
                " manual_approval_on_first_trade, manual_approval_on_imbalance, export_policy, cp_updated_at,"
                " cp_fingerprint, signature, signature_verified, payload, fetched_at)"
                " VALUES (%(src)s, %(dst)s, %(status)s, %(fx)s, %(limit)s, %(mode)s, %(above_amount)s, %(above_qty)s,"
                " %(first)s, %(imbalance)s, %(policy)s, %(updated)s, %(fp)s, %(sig)s, %(verified)s, %(payload)s, now())"
                " ON CONFLICT (source_white_label_id, target_white_label_id) DO UPDATE SET"
                " status=EXCLUDED.status, fx_rate=EXCLUDED.fx_rate, limit_amount=EXCLUDED.limit_amount,"
                " approval_mode=EXCLUDED.approval_mode,"
                " manual_approval_above_amount=EXCLUDED.manual_approval_above_amount,"
                " manual_approval_above_qty=EXCLUDED.manual_approval_above_qty,"
                " manual_approval_on_first_trade=EXCLUDED.manual_approval_on_first_trade,"
                " manual_approval_on_imbalance=EXCLUDED.manual_approval_on_imbalance,"
                " export_policy=EXCLUDED.export_policy, cp_updated_at=EXCLUDED.cp_updated_at,"
                " cp_fingerprint=EXCLUDED.cp_fingerprint, signature=EXCLUDED.signature,"
                " signature_verified=EXCLUDED.signature_verified, payload=EXCLUDED.payload, fetched_at=now()"
                " WHERE cp_relationship_cache.cp_fingerprint IS DISTINCT FROM EXCLUDED.cp_fingerprint",
                values).rowcount
            if not changed:
                conn.execute("UPDATE cp_relationship_cache SET fetched_at=now() WHERE source_white_label_id=%s"
                             " AND target_white_label_id=%s", (src, dst))
        return bool(changed)

    def store_policy(self, wl: str, pol: dict) -> None:
        vis = _pick(pol, "visibilityWls", "visibility_wls")
        trader = pol.get("traderAccount")
        sig = pol.get("signature")
        with self.db.tx() as conn:
            conn.execute(
                "INSERT INTO cp_policy_cache (white_label_id, import_enabled, export_enabled, export_delay_days,"
                " visibility_enabled, visibility_wls, policy_revision, trader_account, signature,"
                " signature_verified, cp_fingerprint, payload, fetched_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now())"
                " ON CONFLICT (white_label_id) DO UPDATE SET import_enabled=EXCLUDED.import_enabled,"
                " export_enabled=EXCLUDED.export_enabled, export_delay_days=EXCLUDED.export_delay_days,"
                " visibility_enabled=EXCLUDED.visibility_enabled, visibility_wls=EXCLUDED.visibility_wls,"
                " policy_revision=EXCLUDED.policy_revision, trader_account=EXCLUDED.trader_account,"
                " signature=EXCLUDED.signature, signature_verified=EXCLUDED.signature_verified,"
                " cp_fingerprint=EXCLUDED.cp_fingerprint, payload=EXCLUDED.payload, fetched_at=now()",
                (wl, _pick(pol, "importEnabled", "import_enabled"), _pick(pol, "exportEnabled", "export_enabled"),
                 _pick(pol, "exportDelayDays", "export_delay_days"), _pick(pol, "visibilityEnabled"),
                 json.dumps(vis) if vis is not None else None, _pick(pol, "policyRevision"),
                 json.dumps(trader) if trader is not None else None, json.dumps(sig) if sig is not None else None,
                 _verify(pol, self.cfg.settings.governance_secret), fingerprint(pol), json.dumps(pol, default=str)))
