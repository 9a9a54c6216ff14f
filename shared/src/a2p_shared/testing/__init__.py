"""Test support shipped with the package: every service's tests import it."""
