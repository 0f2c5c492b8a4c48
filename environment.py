"""behave hooks only; everything they do is delegated to support/."""
from support import dry_run, hooks

dry_run.install()  # outlines untested in a dry run are untested, not "passed" (support/dry_run.py)


def before_all(context):
    hooks.before_all(context)


def before_scenario(context, scenario):
    hooks.before_scenario(context, scenario)


def after_step(context, step):
    hooks.after_step(context, step)


def after_scenario(context, scenario):
    hooks.after_scenario(context, scenario)


def after_all(context):
    hooks.after_all(context)
