"""Step definitions (behave loads every module here; this file only makes the folder a package for import-linter)."""
