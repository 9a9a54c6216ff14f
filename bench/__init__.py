"""Benchmarks: scripts that print figures about the system, run with `python -m bench.<name>`;
`python -m bench.run` runs them all side by side and writes BENCHMARKS.md."""
