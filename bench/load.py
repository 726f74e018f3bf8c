"""Benchmark: load + validate + analyse a 2,000-scene scenario, as a ratio to a bare libyaml `yaml.load`.

Both are timed in the same run on the same file, so the ratio holds on a noisy machine.
Goals: ratio ≤ 2.0; analysing a scenario with more than 10^15 paths takes under a second.

    python bench/load.py [--scenes 2000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import diamond_scenario, dump, layered_scenario
from game.analysis import analyse
from game.library import check_file
from game.scenario import load_text
from scoring import load_catalogue


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenes", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--layers", type=int, default=60, help="diamond layers: 2^layers paths")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.yaml"
        path.write_text(dump(layered_scenario(args.scenes)), encoding="utf-8")
        size = path.stat().st_size
        checked = check_file(path)
        assert checked.playable and not checked.problems, [str(p) for p in checked.problems[:3]]

        def bare() -> object:
            with path.open("rb") as handle:
                return yaml.load(handle, Loader=yaml.CSafeLoader)

        ours = median_seconds(lambda: check_file(path), args.repeat)
        reference = median_seconds(bare, args.repeat)

    print(f"scenario: {args.scenes} scenes, {size:,} bytes")
    print(f"yaml.load (CSafeLoader) median: {reference * 1000:.1f} ms")
    print(f"tightrope load+validate+analyse median: {ours * 1000:.1f} ms")
    print(f"ratio: {ours / reference:.2f} (goal <= 2.0)")

    diamond = load_text(dump(diamond_scenario(args.layers)), "diamond.yaml", load_catalogue()).scenario
    assert diamond is not None
    started = time.perf_counter()
    analysis = analyse(diamond)
    paths = analysis.paths_to_endings(diamond)
    elapsed = time.perf_counter() - started
    assert paths == {"end": 2**args.layers}
    print(f"diamond: {paths['end']:.3e} distinct paths analysed in {elapsed * 1000:.1f} ms (goal < 1000 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
