"""Benchmarks: `make bench` runs bench/run.py (see docs/benchmarks.md). Nothing here is imported by the app."""
