"""The report commands: ``intervention``, ``export-public`` and ``evaluate``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.cli.common import (
    Parser,
    Progress,
    add_data_options,
    number_list,
    print_written,
    run_from_args,
    settings_from_args,
    source_from_args,
    whole_list,
)
from geo.cli.tune import (
    add_fold_options,
    add_tuning_options,
    month_list,
    print_evaluation,
    print_nested,
    shapes_from,
)
from geo.errors import ValidationError
from geo.progress import ProgressFn


def _cmd_intervention(args: argparse.Namespace) -> int:
    import pandas as pd

    from geo.interventions import (
        INTERVENTION_BOUNDS,
        InterventionOptions,
        evaluate_files,
        write_intervention_outputs,
    )

    opts = {k: getattr(args, k) for k in INTERVENTION_BOUNDS if getattr(args, k) is not None}
    for k in ("target_wards", "control_wards"):
        if getattr(args, k):
            opts[k] = tuple(w.strip() for w in getattr(args, k).split(",") if w.strip())
    ids = [i.strip() for x in args.id or [] for i in x.split(",") if i.strip()]
    if args.interventions is None:
        print("note: using the example interventions file (placeholder dates, replace them)")
    results, inputs = evaluate_files(
        args.interventions,
        [str(p) for p in args.incidents] or None,
        args.boundaries,
        settings_from_args(args),
        options=InterventionOptions(**opts),
        ids=ids,
        code_col=args.ward_code_col,
        name_col=args.ward_name_col,
    )
    paths = write_intervention_outputs(results, args.out, inputs=inputs)
    for r in results:
        w, iv = r.windows, r.intervention
        skip = f", {w.excluded[0]} excluded" if w.excluded else ""
        print(
            f"{iv.intervention_id} ({iv.kind}, {iv.start_date}): before "
            f"{w.before[0]}..{w.before[-1]}, after {w.after[0]}..{w.after[-1]}{skip}"
        )
        for e in r.effects.to_dict(orient="records"):
            n = {k: ("-" if v is None or v is pd.NA else v) for k, v in e.items()}
            print(
                f"  {e['group']}: target {n['target_before']} -> {n['target_after']}, ring "
                f"{n['ring_before']} -> {n['ring_after']}, control {n['control_before']} -> "
                f"{n['control_after']}; {e['conclusion']}; WDQ: {e['wdq_reading']}"
            )
        for warning in r.warnings:
            print(f"  caution: {warning}")
    print_written(paths)
    return 0


def add_intervention_command(sub: argparse._SubParsersAction[Parser]) -> None:
    """Add the ``intervention`` command to ``sub``."""
    from geo.interventions import INTERVENTION_BOUNDS

    p = sub.add_parser(
        "intervention",
        help="before/after, displacement and hotspot shift around interventions (staff only)",
    )
    add_data_options(p)
    p.add_argument("--interventions", type=Path, help="interventions CSV (default: the example)")
    p.add_argument("--id", action="append", help="intervention id(s) to evaluate (default: all)")
    for name, bound in INTERVENTION_BOUNDS.items():
        kind = int if bound.whole else float
        p.add_argument("--" + name.replace("_", "-"), type=kind, help=bound.cli_help())
    p.add_argument("--target-wards", help="area-wide events: treated ward codes or names")
    p.add_argument("--control-wards", help="control ward codes or names, comma-separated")
    p.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out)")
    p.set_defaults(func=_cmd_intervention)


def _cmd_export_public(args: argparse.Namespace) -> int:
    from geo.public import PublicSettings, public_view, streets_for_source, write_public

    public = PublicSettings(min_count=args.min_count, generalise_m=args.generalise_m)
    result = run_from_args(args)
    view = public_view(result, public=public)
    # street names from every month of the data, so they do not change with --since/--until
    streets = streets_for_source(
        source_from_args(args), settings_from_args(args), min_incidents=public.min_count
    )
    paths = write_public(
        result, args.out, public=public, title=args.title, view=view, streets=streets
    )
    for note in result.notes:
        print(f"note: {note}")
    print(
        f"{len(view)} public areas with {public.min_count} or more incidents, outlines on a "
        f"{public.generalise_m:g} m grid; smaller groups are not shown"
    )
    print(
        f"{len(streets)} street names (zoom in), streets with {public.min_count} or more "
        "police.uk incidents over all months of the data"
    )
    print_written(paths)
    return 0


def add_export_public_command(sub: argparse._SubParsersAction[Parser]) -> None:
    """Add the ``export-public`` command to ``sub``."""
    from geo.public import DEFAULT_TITLE, PUBLIC_BOUNDS

    p = sub.add_parser(
        "export-public",
        help="write the public meeting map (HTML) and areas (GeoJSON), safe to show in public",
        description=(
            "Writes public_map.html (opens offline) and public_hotspots.geojson built only "
            "from the public view: hotspot areas with at least --min-count incidents, counts "
            "in bands, outlines on a grid; no incidents, dates, notes, sources or locations."
        ),
    )
    add_data_options(p)
    min_count, generalise_m = PUBLIC_BOUNDS["min_count"], PUBLIC_BOUNDS["generalise_m"]
    p.add_argument(
        "--min-count",
        type=int,
        default=min_count.default,
        help=min_count.cli_help("hide hotspots with fewer incidents"),
    )
    p.add_argument(
        "--generalise-m",
        type=float,
        default=generalise_m.default,
        help=generalise_m.cli_help(),
    )
    p.add_argument("--title", default=DEFAULT_TITLE, help="map title")
    p.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out)")
    p.set_defaults(func=_cmd_export_public)


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from geo import columns as c
    from geo import evaluation as ev
    from geo.io.sources import READ_NOTES
    from geo.source import load_source

    if args.seed < 0:
        raise ValidationError(f"--seed must be a whole number >= 0. Got {args.seed} instead.")
    settings = settings_from_args(args)
    eps_values = number_list(args.eps_values, "--eps-values")
    ms_values = whole_list(args.min_samples_values, "--min-samples-values")
    raw, wards, _ = load_source(source_from_args(args))
    for note in raw.attrs.get(READ_NOTES, ()):
        print(f"note: {note}")
    bar = Progress(enabled=not args.no_progress and sys.stderr.isatty())

    def stage(lo: float, hi: float) -> ProgressFn:
        return lambda msg, frac: bar(msg, lo + (hi - lo) * frac)

    test_months = month_list(args.test_months, "--test-months")
    fit_months = month_list(args.fit_months, "--fit-months")
    nested = None
    try:
        evaluation = ev.evaluate_methods(
            raw,
            wards,
            settings,
            window_months=args.window_months,
            grid_m=args.grid_m,
            kernel=args.kernel,
            bandwidth_m=args.bandwidth_m,
            permutations=args.permutations,
            seed=args.seed,
            fine_baselines=not args.no_fine_baselines,
            fine_grid_m=args.fine_grid_m,
            fine_bandwidth_m=args.fine_bandwidth_m,
            shape=args.shape,
            test_months=test_months,
            fit_months=fit_months,
            progress=stage(0.0, 0.3),
        )
        table = ev.sweep(
            raw,
            wards,
            settings,
            eps_values=eps_values,
            min_samples_values=ms_values,
            window_months=args.window_months,
            test_months=test_months,
            fit_months=fit_months,
            progress=stage(0.3, 0.6 if args.nested else 0.95),
        )
        if args.nested:
            nested = ev.nested_evaluation(
                raw,
                wards,
                settings,
                eps_values=eps_values,
                min_samples_values=ms_values,
                shapes=shapes_from(args.shapes),
                buffers=number_list(args.buffers, "--buffers") if args.buffers else None,
                max_area_share=args.max_area_share / 100,
                min_history=args.min_history,
                window_months=args.window_months,
                test_months=test_months,
                fit_months=fit_months,
                fine_baselines=not args.no_fine_baselines,
                grid_m=args.grid_m,
                kernel=args.kernel,
                bandwidth_m=args.bandwidth_m,
                fine_grid_m=args.fine_grid_m,
                fine_bandwidth_m=args.fine_bandwidth_m,
                permutations=args.permutations,
                seed=args.seed,
                progress=stage(0.6, 0.95),
            )
        bar("k-distance and plots", 0.96)
        incidents, _ = ev.prepare(raw, wards, settings)
        last = evaluation.folds[-1].fit_months
        recent = incidents.loc[incidents[c.MONTH].astype(str).isin(last)]
        kdist = ev.k_distance_table(recent, k_values=ms_values)
        paths = ev.write_evaluation(
            args.out,
            evaluation=evaluation,
            sweep=table,
            kdistance=kdist,
            current=(settings.eps_m, settings.min_samples_for(args.window_months)),
        )
        if nested is not None:
            paths |= ev.write_nested(args.out, nested)
    finally:
        bar.close()
    folds = evaluation.folds
    print(
        f"{len(folds)} test months {folds[0].test_month}..{folds[-1].test_month}, each fitted on "
        f"up to {args.window_months} months before it; every method at DBSCAN's area "
        f"(eps_m {settings.eps_m:g}, min_samples "
        f"{settings.min_samples_text(args.window_months)}, {args.shape}); "
        "all wards, mean ± std over the test months:"
    )
    print_evaluation(evaluation)
    stab = evaluation.stability[evaluation.stability[c.WARD_CODE] == ev.ALL_WARDS]
    if len(stab) == 0:
        print("stability: not measured (no pair of windows with new incidents)")
    else:
        print(
            f"stability: {stab['share_persisting'].mean():.0%} of hotspots persist into the next "
            f"window; mean area overlap (Jaccard) {stab['jaccard'].mean():.2f}"
        )
    knees = kdist.drop_duplicates("k")
    print(
        "k-distance knee (an upper limit for eps_m, not a value to use) on "
        f"{last[0]}..{last[-1]}: "
        + ", ".join(
            f"k={k:g}: {e:.0f} m" for k, e in zip(knees["k"], knees["suggested_eps_m"], strict=True)
        )
    )
    if nested is not None:
        print()
        print_nested(nested)
    print_written(paths)
    return 0


def add_evaluate_command(sub: argparse._SubParsersAction[Parser]) -> None:
    """Add the ``evaluate`` command to ``sub``."""
    p = sub.add_parser(
        "evaluate",
        help="judge hotspots on later months against baselines; eps_m x min_samples sweep",
        description=(
            "Rolling-origin evaluation: fit on --window-months months, test on the next month, "
            "for every month with incidents (or --test-months). Compares DBSCAN hotspots with "
            "kernel density, Getis-Ord Gi* and last month's busiest grid cells, and with "
            "baselines at DBSCAN's resolution (kernel density on fine cells, the busiest map "
            "points with discs, study-wide budgets, a grid shifted half a cell) at the same "
            "area (hit rate and PAI, weighted and not, PEI, RRI), with paired per-month "
            "differences; sweeps eps_m x min_samples; --nested adds the settings chosen on "
            "earlier months only. Writes CSV tables and PNG plots into --out."
        ),
    )
    add_data_options(p)
    p.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out)")
    add_fold_options(p)
    p.add_argument(
        "--nested",
        action="store_true",
        help="also choose eps_m, min_samples and shape on earlier folds only (as `tune`)",
    )
    add_tuning_options(p)
    p.add_argument(
        "--shape",
        choices=("hull", "discs"),
        default="hull",
        help="DBSCAN hotspot shape for the fixed settings (hull)",
    )
    p.add_argument(
        "--no-fine-baselines",
        action="store_true",
        help="only the 50 m grid baselines (no fine cells, map points, shift, study-wide)",
    )
    p.add_argument(
        "--fine-grid-m", type=float, default=25.0, help="fine grid cell side, metres (25)"
    )
    p.add_argument(
        "--fine-bandwidth-m", type=float, default=25.0, help="fine KDE bandwidth, metres (25)"
    )
    p.add_argument(
        "--eps-values",
        default="30,40,60,80,100,120,150",
        help="eps_m values to sweep, metres (default 30,40,60,80,100,120,150)",
    )
    p.add_argument(
        "--min-samples-values",
        default="5,10,15,20,30,40",
        help="min_samples values to sweep (default 5,10,15,20,30,40)",
    )
    p.add_argument(
        "--grid-m", type=float, default=50.0, help="grid cell side for the baselines, metres (50)"
    )
    p.add_argument(
        "--kernel", choices=("quartic", "gaussian"), default="quartic", help="KDE kernel (quartic)"
    )
    p.add_argument("--bandwidth-m", type=float, default=50.0, help="KDE bandwidth, metres (50)")
    p.add_argument(
        "--permutations", type=int, default=999, help="Gi* permutations for p-values (999)"
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the Gi* permutations (0)")
    p.set_defaults(func=_cmd_evaluate)
