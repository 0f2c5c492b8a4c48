"""The tables the runbook's cleanup truncates (steps 1 and 2)."""
from __future__ import annotations

# Runbook step 1: the ten tables the runbook truncates ...
RUNBOOK_CP_TABLES = (
    "cp_trade_approvals", "cp_telemetry", "cp_relationships", "cp_white_label_policy_revisions",
    "cp_white_label_policies", "cp_white_label_keys", "cp_trader_accounts", "cp_white_labels",
    "cp_users", "cp_imbalance_signals",
)
# ... and the five it misses (no FKs, so CASCADE never reaches them; contract cp.md §10.1).
MISSED_CP_TABLES = (
    "cp_trades", "cp_notifications", "cp_notification_recipients",
    "cp_offer_category_snapshots", "cp_entity_snapshots",
)
CP_TABLES = RUNBOOK_CP_TABLES + MISSED_CP_TABLES

# Runbook step 2.
EXPORTER_TABLES = ("cp_policy_cache", "cp_relationship_cache", "offer_export_index", "cross_wl_trade")
IMPORTER_TABLES = ("cp_policy_cache", "cp_relationship_cache", "offer_export_index", "imported_offer",
                   "cross_wl_trade")

# The same tables as stack map entries (the readiness check probes them on the live stack; written out,
# so the scenarios' needs are seen in the source: support/stackmap/needs.py).
EXPORTER_TABLE_ENTRIES = ("wl.exporter.cp_policy_cache.table", "wl.exporter.cp_relationship_cache.table",
                          "wl.exporter.offer_export_index.table", "wl.exporter.cross_wl_trade.table")
IMPORTER_TABLE_ENTRIES = ("wl.importer.cp_policy_cache.table", "wl.importer.cp_relationship_cache.table",
                          "wl.importer.offer_export_index.table", "wl.importer.imported_offer.table",
                          "wl.importer.cross_wl_trade.table")
