class DevstackError(Exception):
    """A failure the user can act on; the CLI prints its message and exits non-zero."""
