"""The chaos harness: the whole platform as separate processes on its own Kafka and FerretDB,
a mixed workload, and faults while it runs (kills, pauses, broker and database restarts, cut and
slow networks, Twilio hanging after accepting). `python -m tests.chaos` (`make chaos`) prints
the table; `tests/test_chaos.py` runs a short version in `make test`."""
