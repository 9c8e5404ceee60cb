"""The ``tune`` command: DBSCAN's settings chosen on earlier months only (nested selection).

It ends with the recommendation for the next month: the same rule applied to every fold.

Also the fold options (``--fit-months``/``--test-months``) and the printing that ``tune``
and ``evaluate --nested`` share.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from geo.cli.common import (
    Parser,
    Progress,
    add_data_options,
    number_list,
    print_written,
    settings_from_args,
    source_from_args,
    whole_list,
)
from geo.errors import ValidationError

if TYPE_CHECKING:
    from geo.evaluation import Evaluation, NestedResult


def month_list(text: str | None, option: str) -> list[str] | None:
    """Comma-separated months ``YYYY-MM`` of a fold option, or None when not given."""
    if not text:
        return None
    out = [m.strip() for m in text.split(",") if m.strip()]
    bad = [m for m in out if len(m) != 7 or m[4] != "-" or not (m[:4] + m[5:]).isdigit()]
    if bad:
        raise ValidationError(
            f"{option}: {bad[0]!r} is not a month (expected e.g. 2018-06,2019-06)"
        )
    return out


def add_fold_options(p: argparse.ArgumentParser) -> None:
    """``--window-months``, ``--fit-months`` and ``--test-months``."""
    p.add_argument(
        "--window-months", type=int, default=3, help="months fitted before each test month (3)"
    )
    p.add_argument(
        "--test-months",
        help="explicit test months, e.g. 2017-06,2018-06 (default: every month with incidents "
        "after a full window)",
    )
    p.add_argument(
        "--fit-months",
        help="months a test month may be fitted on (the latest --window-months before it; "
        "default: the months of the data); with --test-months, for year-on-year checks",
    )


def add_tuning_options(p: argparse.ArgumentParser) -> None:
    """``--shapes``, ``--max-area-share`` and ``--min-history`` of the nested selection."""
    p.add_argument(
        "--shapes",
        default="hull,discs",
        help="hotspot shapes to try: hull (buffered convex hull, the pipeline's) and/or discs "
        "(union of the member map points' discs); default hull,discs",
    )
    p.add_argument(
        "--buffers",
        help="hull buffers (disc radii for discs) to try, metres, e.g. 10,15,25 (default: the "
        "settings' own, 25)",
    )
    p.add_argument(
        "--max-area-share",
        type=float,
        default=0.5,
        help="the selection rule's largest area share, in percent of the wards (0.5)",
    )
    p.add_argument(
        "--min-history",
        type=int,
        default=1,
        help="earlier folds needed before a test month gets a choice (1)",
    )


def shapes_from(text: str) -> list[str]:
    """The ``--shapes`` list."""
    return [s.strip() for s in text.split(",") if s.strip()]


def print_evaluation(evaluation: Evaluation) -> None:
    """Per-method means, the per-month PAI table and the paired difference, as Markdown."""
    from geo import evaluation as ev

    table = evaluation.table
    print(ev.markdown_table(ev.measures_text(table)))
    print()
    print("PAI per test month, all wards:")
    print(ev.markdown_table(ev.per_month_text(table)))
    print()
    for same in (True, False):
        for measure, scale, unit in (("pai", 1.0, ""), ("hit_rate", 100.0, " points")):
            try:
                d = ev.paired_difference(table, measure=measure, same_resolution=same)
            except ValidationError as exc:
                print(f"no paired difference: {exc.first_line}")
                continue
            where = "same resolution" if same else "any resolution"
            print(
                f"- best baseline at the same area, {where}: {d.sentence(scale=scale, unit=unit)}"
            )
            if measure == "pai":
                diffs = ", ".join(f"{x:+.1f}" for x in d.months["difference"])
                print(f"  per month (PAI): {diffs}")
    for warning in evaluation.warnings:
        print(f"warning: {warning}")


def print_nested(result: NestedResult) -> None:
    """The rule, the choice for each test month and the out-of-sample results."""
    from geo import evaluation as ev

    print(f"Selection rule: {result.rule}.")
    print("Chosen for each test month (from the folds before it only):")
    for row in result.choices.to_dict(orient="records"):
        if not isinstance(row["shape"], str):
            print(f"  {row['test_month']}: no choice ({row['n_history']} earlier folds)")
        else:
            print(
                f"  {row['test_month']}: eps_m {row['eps_m']:g}, min_samples "
                f"{int(row['min_samples'])}, {row['shape']}, buffer {row['buffer_m']:g} m "
                f"(from {row['n_history']} earlier "
                f"folds: hit rate {100 * row['history_hit_rate']:.1f} %, area share "
                f"{100 * row['history_area_share']:.2f} %)"
            )
    months = result.nested.folds
    print()
    print(
        f"Out of sample, {len(months)} test months {months[0].test_month}.."
        f"{months[-1].test_month}; DBSCAN at the chosen settings, every baseline at its area:"
    )
    print_evaluation(result.nested)
    print()
    print("The fixed settings on the same test months, every baseline at their area:")
    print(ev.markdown_table(ev.measures_text(result.fixed.table)))
    d = ev.paired_difference(result.fixed.table, measure="pai", same_resolution=True)
    print(f"- {d.sentence()}")
    print()
    print_recommendation(result)


def print_recommendation(result: NestedResult) -> None:
    """The rule applied to every fold: the setting for the next month, and a TOML snippet."""
    r = result.recommendation
    if r is None:
        print("No recommendation for the next month: no setting meets the rule on all folds.")
        return
    print(r.sentence)
    print("As settings (paste into a settings file, or use with --config):")
    print()
    print(r.toml(), end="")


def _cmd_tune(args: argparse.Namespace) -> int:
    from geo import evaluation as ev
    from geo.io.sources import READ_NOTES
    from geo.source import load_source

    settings = settings_from_args(args)
    raw, wards, _ = load_source(source_from_args(args))
    for note in raw.attrs.get(READ_NOTES, ()):
        print(f"note: {note}")
    bar = Progress(enabled=not args.no_progress and sys.stderr.isatty())
    try:
        result = ev.nested_evaluation(
            raw,
            wards,
            settings,
            eps_values=number_list(args.eps_values, "--eps-values"),
            min_samples_values=whole_list(args.min_samples_values, "--min-samples-values"),
            shapes=shapes_from(args.shapes),
            buffers=number_list(args.buffers, "--buffers") if args.buffers else None,
            max_area_share=args.max_area_share / 100,
            min_history=args.min_history,
            window_months=args.window_months,
            test_months=month_list(args.test_months, "--test-months"),
            fit_months=month_list(args.fit_months, "--fit-months"),
            permutations=args.permutations,
            progress=bar,
        )
    finally:
        bar.close()
    print_nested(result)
    print_written(ev.write_nested(args.out, result))
    return 0


def add_tune_command(sub: argparse._SubParsersAction[Parser]) -> None:
    """Register ``python -m geo tune``."""
    p = sub.add_parser(
        "tune",
        help="choose eps_m, min_samples and the hotspot shape on earlier months only (nested)",
        description=(
            "Nested selection: every eps_m x min_samples x shape is scored on every fold; for "
            "each test month the written rule picks a setting from the folds before it only, "
            "and that setting is judged on the test month against every baseline at its area, "
            "beside the fixed settings (--eps-m/--min-samples or the defaults). Last, the rule "
            "applied to every fold recommends a setting for the next month (min_samples also "
            "per month, as a settings snippet). Writes nested_choices.csv, nested_scores.csv, "
            "nested_evaluation.csv, nested_fixed.csv and recommended.toml."
        ),
    )
    add_data_options(p)
    add_fold_options(p)
    add_tuning_options(p)
    p.add_argument(
        "--eps-values", default="30,40,60,80", help="eps_m values to try (default 30,40,60,80)"
    )
    p.add_argument(
        "--min-samples-values",
        default="5,10,15,20",
        help="min_samples values to try (default 5,10,15,20)",
    )
    p.add_argument(
        "--permutations", type=int, default=999, help="Gi* permutations for p-values (999)"
    )
    p.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out)")
    p.set_defaults(func=_cmd_tune)
