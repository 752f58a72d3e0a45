"""Dispatch ``python -m benchmarks NAME [args]``; with no name, list or run them all."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import benchmarks


def available() -> list[str]:
    """Names of the benchmark modules."""
    return sorted(
        m.name
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if not m.name.startswith("_") and m.name != "common"
    )


def main(argv: list[str]) -> None:
    """Run the named benchmark, ``all`` of them, or list them."""
    names = available()
    if not argv or argv[0] in {"-h", "--help"}:
        print("usage: python -m benchmarks NAME [args] | all\nbenchmarks: " + ", ".join(names))
        return
    name, rest = argv[0], argv[1:]
    targets = names if name == "all" else [name]
    for target in targets:
        if target not in names:
            raise SystemExit(f"no benchmark named {target!r}; choose from: {', '.join(names)}")
        print(f"== {target}", flush=True)
        importlib.import_module(f"benchmarks.{target}").main(rest)


if __name__ == "__main__":
    main(sys.argv[1:])
