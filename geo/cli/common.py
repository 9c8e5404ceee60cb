"""Helpers shared by the ``python -m geo`` commands: parser, data options, progress bar."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn

from geo.errors import ValidationError
from geo.result import PipelineResult
from geo.settings import Settings
from geo.settings_bounds import BOUNDS
from geo.settings_toml import load_settings
from geo.source import DataSource

EXIT_BAD_INPUT = 2


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``message`` on one line and exit with :data:`EXIT_BAD_INPUT`."""
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


class Progress:
    """A tqdm progress bar on stderr fed by the pipeline's ``progress(message, fraction)``."""

    def __init__(self, enabled: bool) -> None:
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=100, file=sys.stderr, leave=False, bar_format="{l_bar}{bar}|")

    def __call__(self, message: str, fraction: float) -> None:
        """Show ``message`` and move the bar to ``fraction`` (0-1)."""
        if self.bar is not None:
            self.bar.set_description_str(message[:40].ljust(40))
            self.bar.n = round(100 * fraction)
            self.bar.refresh()

    def close(self) -> None:
        """Remove the bar."""
        if self.bar is not None:
            self.bar.close()


def settings_from_args(args: argparse.Namespace) -> Settings:
    """``--config`` file (or defaults) with command-line options applied on top.

    ``--min-samples`` (a fixed count) or ``--min-samples-per-month`` (scaled by the months
    clustered) replaces whichever of the two the file sets; giving both is an error.
    """
    base = load_settings(args.config) if getattr(args, "config", None) else Settings()
    fixed = getattr(args, "min_samples", None)
    rate = getattr(args, "min_samples_per_month", None)
    if fixed is not None and rate is not None:
        raise ValidationError(
            f"--min-samples {fixed} and --min-samples-per-month {rate:g} were both given: "
            "--min-samples is a fixed count, --min-samples-per-month is scaled by the months "
            "clustered; give one of them"
        )
    changes: dict[str, object] = {}
    for opt in ("eps_m", "min_samples", "min_samples_per_month", "since", "until"):
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
        help="incident CSV files, police.uk .zip archives or folders (default: the shipped "
        "data/incidents)",
    )
    p.add_argument(
        "--force",
        action="append",
        default=[],
        metavar="FORCE",
        help="read only this police.uk force's files from .zip archives, e.g. thames-valley "
        "(repeatable; default: every force)",
    )
    p.add_argument("--boundaries", type=Path, help="ward boundary file (GeoJSON, GPKG, SHP)")
    p.add_argument("--ward-code-col", help="ward code column (default: detect WDyyCD)")
    p.add_argument("--ward-name-col", help="ward name column (default: detect WDyyNM)")
    p.add_argument("--layer", help="boundary layer (default: the file's only polygon layer)")
    p.add_argument("--config", type=Path, help="settings TOML (as saved by the app)")
    p.add_argument("--eps-m", type=float, help=BOUNDS["eps_m"].cli_help("DBSCAN radius"))
    p.add_argument("--min-samples", type=int, help=BOUNDS["min_samples"].cli_help())
    p.add_argument(
        "--min-samples-per-month",
        type=float,
        help=BOUNDS["min_samples_per_month"].cli_help(),
    )
    p.add_argument("--since", help="first month YYYY-MM")
    p.add_argument("--until", help="last month YYYY-MM")
    p.add_argument("--categories", help="comma-separated category keys, e.g. drugs,asb")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def source_from_args(args: argparse.Namespace) -> DataSource:
    """The data the options name (incident files or folders, ``--boundaries``, ward columns)."""
    return DataSource.from_files(
        [str(p) for p in args.incidents] or None,
        args.boundaries,
        code_col=args.ward_code_col,
        name_col=args.ward_name_col,
        layer=args.layer,
        forces=args.force,
    )


def run_from_args(args: argparse.Namespace) -> PipelineResult:
    """Run the pipeline as the data options ask, with a progress bar."""
    from geo.cli.engine import run_with_engine

    settings = settings_from_args(args)
    bar = Progress(enabled=not args.no_progress and sys.stderr.isatty())
    try:
        return run_with_engine(args, source_from_args(args), settings, progress=bar)
    finally:
        bar.close()


def print_written(paths: Mapping[str, Path]) -> None:
    """One line listing the files a command wrote."""
    print(f"wrote {', '.join(str(p) for p in paths.values())}")


def number_list(text: str, option: str) -> list[float]:
    """Comma-separated numbers of a sweep option, e.g. ``"40,60,80"``."""
    out: list[float] = []
    for item in (x.strip() for x in text.split(",")):
        try:
            out.append(float(item))
        except ValueError:
            raise ValidationError(
                f"{option}: {item!r} is not a number (expected numbers with commas, e.g. 40,60,80)"
            ) from None
    return out


def whole_list(text: str, option: str) -> list[int]:
    """Comma-separated whole numbers of a sweep option, e.g. ``"10,20"``."""
    out: list[int] = []
    for item in (x.strip() for x in text.split(",")):
        try:
            out.append(int(item))
        except ValueError:
            raise ValidationError(
                f"{option}: {item!r} is not a whole number (expected e.g. 10,15,20)"
            ) from None
    return out
