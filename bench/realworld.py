"""Real pages nobody here wrote: ``../shared/realworld/score.py`` on both of its sets, ours beside the peer.

    python bench/realworld.py [--dir ../shared/realworld] [--sets dates,main-text] [--failures N] [--no-peer]

``dates`` is htmldate's evaluation set (the publication day a page states; peer: htmldate's
``find_date(original_date=True)``), ``main-text`` is trafilatura's (snippets that must and
must not be in the main text; peer: ``trafilatura.extract(fast=False)``). The scorer is run
as it is, in a subprocess from this checkout's root with this checkout first on the path, so
the figures are exactly the ones it prints; this script only puts them side by side. Each
set takes about a minute; times are wall clock, so note the load average printed first.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DIR = next((d for d in (REPO.parent / "shared" / "realworld",  # beside the checkout
                                REPO.parent.parent / "shared" / "realworld")  # from a worktree
                    if d.is_dir()), REPO.parent / "shared" / "realworld")
SETS = ("dates", "main-text")
PEERS = {"dates": "htmldate", "main-text": "trafilatura"}
# The figures of each set worth a line, in the scorer's own names.
METRICS = {
    "dates": ("day_right_pct", "gave_date_pct", "right_when_given_pct", "undated_left_blank", "ms_per_page"),
    "main-text": ("f1", "precision", "recall", "with_present_pct", "without_absent_pct", "ms_per_page"),
}


def run_scorer(folder: Path, kind: str, failures: int, peer: bool) -> tuple[dict[str, str], list[str]]:
    """``score.py KIND``'s ``name: value`` lines as a dict, and the failure lines it listed."""
    command = [sys.executable, str(folder / "score.py"), kind, "--failures", str(failures)]
    if not peer:
        command.append("--no-peer")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(REPO), os.environ.get("PYTHONPATH"))))}
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{folder / 'score.py'} {kind} failed with status {result.returncode}:\n{result.stderr}")
    figures: dict[str, str] = {}
    listed: list[str] = []
    for line in result.stdout.splitlines():
        if line.startswith("  "):
            listed.append(line)
        elif ": " in line:
            name, value = line.split(": ", 1)
            figures[name.strip()] = value.strip()
    return figures, listed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="folder holding score.py and the sets")
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated: dates, main-text")
    parser.add_argument("--failures", type=int, default=0, help="list up to N pages we get wrong, per set")
    parser.add_argument("--no-peer", action="store_true", help="ours only (faster)")
    args = parser.parse_args()
    kinds = [k.strip() for k in args.sets.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in SETS]
    if unknown:
        parser.error(f"unknown set {', '.join(unknown)}; expected some of {', '.join(SETS)}")
    if not (args.dir / "score.py").is_file():
        parser.error(f"no score.py in {args.dir}; give the real-world folder with --dir")

    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    for kind in kinds:
        figures, listed = run_scorer(args.dir, kind, args.failures, not args.no_peer)
        peer = PEERS[kind]
        print(f"\n{kind} ({figures.get('pages', '?')} pages)")
        print(f"  {'metric':<22} {'newscrawler':>12} {peer:>12}")
        for metric in METRICS[kind]:
            print(f"  {metric:<22} {figures.get('ours_' + metric, '-'):>12} {figures.get('peer_' + metric, '-'):>12}")
        if listed:
            print("  ours wrong:")
            print("\n".join(listed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
