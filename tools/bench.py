"""Benchmark: a full poster build against Graphviz alone on the same panels, in one run.

    .venv/bin/python tools/bench.py [--data DIR] [--repeat N]

Graphviz alone: `dot -Tsvg` over every panel's DOT source, run one after the
other as a shell loop would. Full build: `lyncposter build` as a user runs it
(a new process: start-up, load, layout, render, vectorize, compose, write).
Each is timed `--repeat` times and the best run counts. The goal is a ratio of
at most 2.0.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import lyncposter
from lyncposter.layout import workload_dot

GOAL = 2.0


def best_of(repeat: int, run) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="workloads")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    data = lyncposter.load(args.data)
    main_sheet = data.poster.sheets[0].id
    with tempfile.TemporaryDirectory() as tmp:
        sources = []
        for workload in data.workloads:
            path = Path(tmp) / f"{workload.id}.dot"
            path.write_text(workload_dot(workload), "utf-8")
            sources.append(path)

        def graphviz_alone() -> None:
            for path in sources:
                subprocess.run(["dot", "-Tsvg", "-o", os.devnull, str(path)], check=True)

        cli = Path(sys.executable).with_name("lyncposter")

        def full_build() -> None:  # the poster alone: the same panels dot lays out here
            subprocess.run([str(cli), "build", "--data", args.data, "--out", tmp, "--sheet", main_sheet], check=True, capture_output=True)

        def every_sheet() -> None:  # what `make poster` builds
            subprocess.run([str(cli), "build", "--data", args.data, "--out", tmp], check=True, capture_output=True)

        graphviz_alone()  # warm the file cache and fontconfig's
        dot_time = best_of(args.repeat, graphviz_alone)
        build_time = best_of(args.repeat, full_build)
        sheets_time = best_of(args.repeat, every_sheet)

    ratio = build_time / dot_time
    print(f"panels:            {len(sources)} ({os.cpu_count()} cores)")
    print(f"dot -Tsvg alone:   {dot_time:.3f} s (best of {args.repeat})")
    print(f"lyncposter build:  {build_time:.3f} s (best of {args.repeat}; the poster sheet)")
    print(f"ratio:             {ratio:.2f} (goal <= {GOAL})")
    print(f"every sheet:       {sheets_time:.3f} s ({len(data.poster.sheets)} sheets, as make poster builds them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
