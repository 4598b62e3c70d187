"""The one error every config check raises."""


class ConfigError(ValueError):
    """A config file that cannot be used; the message is one line naming file, place and key."""
