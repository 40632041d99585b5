"""Errors salesfocus raises on purpose; the CLI maps them to exit codes in one place."""


class SalesfocusError(Exception):
    """Base of every error salesfocus raises on purpose."""

    exit_code = 1


class InputError(SalesfocusError):
    """Bad input a user can fix: a missing or unreadable file, a required column absent, a bad argument."""

    exit_code = 2


class SchemaError(InputError):
    """A table does not carry the columns an analysis needs."""


class ConfigError(InputError):
    """The configuration or mapping file is invalid."""


class NotFittedError(SalesfocusError, RuntimeError):
    """A model result was asked for before the model was fitted."""
