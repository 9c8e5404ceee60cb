"""Command line: ``python -m geo <command>``; a thin shell over the ``geo`` functions."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from geo.errors import ValidationError
from geo.settings import Settings, load_settings

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


class _Progress:
    """A tqdm progress bar on stderr fed by the pipeline's ``progress(message, fraction)``."""

    def __init__(self, enabled: bool) -> None:
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=100, file=sys.stderr, leave=False, bar_format="{l_bar}{bar}|")

    def __call__(self, message: str, fraction: float) -> None:
        if self.bar is not None:
            self.bar.set_description_str(message[:40].ljust(40))
            self.bar.n = round(100 * fraction)
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def settings_from_args(args: argparse.Namespace) -> Settings:
    """``--config`` file (or defaults) with command-line options applied on top."""
    base = load_settings(args.config) if getattr(args, "config", None) else Settings()
    changes: dict[str, object] = {}
    for opt in ("eps_m", "min_samples", "since", "until"):
        value = getattr(args, opt, None)
        if value is not None:
            changes[opt] = value
    if getattr(args, "categories", None):
        changes["include"] = tuple(x.strip() for x in args.categories.split(",") if x.strip())
    return base.replace(**changes) if changes else base


def add_data_options(p: argparse.ArgumentParser) -> None:
    """Options shared by commands that run the hotspot pipeline."""
    p.add_argument(
        "incidents",
        nargs="*",
        type=Path,
        help="incident CSV files or folders (default: the shipped data/incidents)",
    )
    p.add_argument("--boundaries", type=Path, help="ward boundary file (GeoJSON, GPKG, SHP)")
    p.add_argument("--ward-code-col", help="ward code column (default: detect WDyyCD)")
    p.add_argument("--ward-name-col", help="ward name column (default: detect WDyyNM)")
    p.add_argument("--config", type=Path, help="settings TOML (as saved by the app)")
    p.add_argument("--eps-m", type=float, help="DBSCAN radius in metres")
    p.add_argument("--min-samples", type=int, help="weighted incidents for a core point")
    p.add_argument("--since", help="first month YYYY-MM")
    p.add_argument("--until", help="last month YYYY-MM")
    p.add_argument("--categories", help="comma-separated category keys, e.g. drugs,asb")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def run_from_args(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """Run the pipeline as the data options ask, with a progress bar."""
    from geo.pipeline import run_files

    settings = settings_from_args(args)
    bar = _Progress(enabled=not args.no_progress and sys.stderr.isatty())
    try:
        return run_files(
            [str(p) for p in args.incidents] or None,
            args.boundaries,
            settings,
            code_col=args.ward_code_col,
            name_col=args.ward_name_col,
            progress=bar,
        )
    finally:
        bar.close()


def _cmd_hotspots(args: argparse.Namespace) -> int:
    from geo.export import write_outputs

    result = run_from_args(args)
    paths = write_outputs(result, args.out)
    print(result.counts.sentence())
    for note in result.notes:
        print(f"note: {note}")
    top = result.hotspots.head(5)
    for row in top.itertuples(index=False):
        print(
            f"  #{row.rank} {row.hotspot_id} {row.ward_name}: {row.n_incidents} incidents, "
            f"score {row.score:.1f}, {row.trend}"
        )
    print(f"wrote {', '.join(str(p) for p in paths.values())}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m geo`` argument parser with every command."""
    parser = _Parser(prog="python -m geo", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("hotspots", help="cluster incidents into ranked hotspots per ward")
    add_data_options(p)
    p.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out)")
    p.set_defaults(func=_cmd_hotspots)

    for register in EXTRA_COMMANDS:
        register(sub)
    return parser


#: Functions that add further sub-commands: ``register(subparsers)``.
EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = []  # type: ignore[type-arg]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (2 for bad input or options)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ValidationError as exc:
        print(f"error: {exc.first_line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"error: unexpected failure ({type(exc).__name__}: {exc}); rerun with --debug",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
