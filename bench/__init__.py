"""Benchmarks: scripts that print figures about the system, run with `python -m bench.<name>`."""
