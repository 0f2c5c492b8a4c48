"""Errors that stop the suite before any scenario runs, each naming its cause and its fix."""


class SuiteSetupError(RuntimeError):
    """The suite cannot run: bad configuration, a stack that is down, a refused certificate.

    The message is meant for a person: it names the setting or the service, and what to do.
    """


class ConfigError(SuiteSetupError):
    """A setting is missing or malformed."""


class StackError(SuiteSetupError):
    """The stack could not be started or reached."""


class UnsafeOperation(SuiteSetupError):
    """A destructive operation was refused (e.g. TRUNCATE on a database that is not on loopback)."""
