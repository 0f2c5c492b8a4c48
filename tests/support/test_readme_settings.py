"""README documents every setting the suite reads, and every profile uses only known settings."""
from pathlib import Path

from dotenv import dotenv_values

from support.config import PROFILES, SETTINGS, SPEC_BY_NAME

ROOT = Path(__file__).resolve().parents[2]


def test_readme_lists_every_setting():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [spec.name for spec in SETTINGS if f"`{spec.name}`" not in readme]
    assert missing == []


def test_profile_files_use_only_declared_settings():
    for profile in PROFILES:
        names = set(dotenv_values(ROOT / "profiles" / f"{profile}.env"))
        assert names - set(SPEC_BY_NAME) == set(), profile
