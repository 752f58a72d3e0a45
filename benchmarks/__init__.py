"""Runnable benchmarks: ``python -m benchmarks NAME [args]`` (``make bench`` runs them all).

Each module here exposes ``main(argv: list[str]) -> None`` and writes what it measured
to stdout; the last results are copied into the docs page of its area.
"""
