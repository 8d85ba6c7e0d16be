"""Command line for teachers: build and check a dataset mirror.

    python -m course_utils.datasets fetch all --dest DIR   # download once, mirror layout
    python -m course_utils.datasets check DIR              # verify; non-zero exit if bad
    python -m course_utils.datasets status                 # what this machine has

``fetch all`` gets MNIST, CIFAR-10, IMDB and the 8-word ``mini_speech_commands`` (about
380 MB in all); ``fetch speech_commands_v2`` adds the whole v0.02 archive (2.4 GB).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from course_utils.data.base import CheckResult
from course_utils.data.errors import DatasetIntegrityError, DownloadFailed
from course_utils.data.mirror import FETCHABLE, NAMES, check_mirror, fetch, format_status


def _print_results(results: Sequence[CheckResult]) -> None:
    for r in results:
        print(f"{r.name:<16} {r.state.upper():<8} {r.detail}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.datasets",
        description="Fetch or check the course's datasets (mirror layout).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_fetch = sub.add_parser("fetch", help="download datasets into a mirror folder")
    p_fetch.add_argument(
        "names", nargs="+", choices=[*FETCHABLE, "all"],
        help="datasets to fetch ('all' = the four course datasets)",
    )
    p_fetch.add_argument("--dest", required=True, type=Path, help="the mirror folder")
    p_fetch.add_argument("--no-progress", action="store_true", help="hide progress bars")
    p_check = sub.add_parser("check", help="verify a mirror folder")
    p_check.add_argument("dir", type=Path, help="the mirror folder")
    p_check.add_argument("--only", nargs="+", choices=NAMES, help="check only these")
    sub.add_parser("status", help="show which datasets this machine has")
    args = parser.parse_args(argv)

    if args.command == "status":
        print(format_status())
        return 0
    if args.command == "check":
        if not args.dir.is_dir():
            print(f"{args.dir} is not a folder.", file=sys.stderr)
            return 2
        results = check_mirror(args.dir, tuple(args.only or NAMES))
        _print_results(results)
        bad = [r.name for r in results if not r.ok]
        print(f"{len(results) - len(bad)} of {len(results)} datasets OK" +
              (f"; missing or corrupt: {', '.join(bad)}" if bad else ""))
        return 1 if bad else 0
    names = list(NAMES) if "all" in args.names else list(dict.fromkeys(args.names))
    failed = []
    for name in names:
        print(f"== {name}")
        try:
            result = fetch(name, args.dest, progress=not args.no_progress)
        except (DownloadFailed, DatasetIntegrityError, OSError) as exc:
            print(f"{name:<16} FAILED   {exc}")
            failed.append(name)
            continue
        _print_results([result])
        if not result.ok:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"done: use it with  export COURSE_DATA_DIR={args.dest.resolve()}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
