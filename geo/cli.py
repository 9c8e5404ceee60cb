"""Command line: ``python -m geo <command>``; a thin shell over the ``geo`` functions."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
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


def _print_written(paths: Mapping[str, Path]) -> None:
    """One line listing the files a command wrote."""
    print(f"wrote {', '.join(str(p) for p in paths.values())}")


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
    _print_written(paths)
    return 0


def _cmd_hash_password(args: argparse.Namespace) -> int:
    from geo.appsupport import hash_password

    if args.stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        import getpass

        password = getpass.getpass("New staff password: ")
        if getpass.getpass("Repeat it: ") != password:
            raise ValidationError("The two passwords differ; nothing was printed.")
    print(hash_password(password))
    return 0


def _add_hash_password_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "hash-password",
        help="print a salted hash of a new staff password for the app's protected pages",
        description=(
            "Prints a salted scrypt hash of a staff password. Put it in .streamlit/secrets.toml "
            'as staff_password_hash = "..." or in the environment variable '
            "HOTSPOTS_STAFF_PASSWORD_HASH. The password itself is never stored."
        ),
    )
    p.add_argument(
        "--stdin", action="store_true", help="read the password from the first line of stdin"
    )
    p.set_defaults(func=_cmd_hash_password)


def _cmd_intervention(args: argparse.Namespace) -> int:
    import pandas as pd

    from geo.intervention_areas import InterventionOptions
    from geo.intervention_effect import evaluate_files
    from geo.intervention_report import write_intervention_outputs

    opts = {
        k: getattr(args, k)
        for k in ("radius_m", "ring_outer_m", "months_before", "months_after", "min_count")
        if getattr(args, k) is not None
    }
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
    _print_written(paths)
    return 0


def _add_intervention_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "intervention",
        help="before/after, displacement and hotspot shift around interventions (staff only)",
    )
    add_data_options(p)
    p.add_argument("--interventions", type=Path, help="interventions CSV (default: the example)")
    p.add_argument("--id", action="append", help="intervention id(s) to evaluate (default: all)")
    p.add_argument("--radius-m", type=float, help="target radius in metres (default 200)")
    p.add_argument("--ring-outer-m", type=float, help="ring outer radius (default 2 x radius)")
    p.add_argument("--months-before", type=int, help="whole months before (default 3)")
    p.add_argument("--months-after", type=int, help="whole months after (default 3)")
    p.add_argument("--min-count", type=int, help="fewer incidents = too few to conclude (10)")
    p.add_argument("--target-wards", help="area-wide events: treated ward codes or names")
    p.add_argument("--control-wards", help="control ward codes or names, comma-separated")
    p.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out)")
    p.set_defaults(func=_cmd_intervention)


def _postbox_settings(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from geo.postbox import PostboxSettings, load_postbox_settings

    base = load_postbox_settings(args.postbox_config) if args.postbox_config else PostboxSettings()
    changes = {
        k: getattr(args, a)
        for k, a in (
            ("radius_m", "radius_m"),
            ("half_life_days", "half_life_days"),
            ("cooldown_days", "cooldown_days"),
            ("plan_weeks", "weeks"),
        )
        if getattr(args, a) is not None
    }
    return base.replace(**changes) if changes else base


def _cmd_postbox_next(args: argparse.Namespace) -> int:
    from geo.placements import data_path, parse_date, read_placements
    from geo.postbox import (
        default_reference_date,
        log_notes,
        recommend,
        rotation_plan,
        write_postbox_outputs,
    )
    from geo.sites import load_sites

    ps = _postbox_settings(args)
    db = data_path(args.db, base=args.data_dir)
    given = parse_date(args.date, what="--date") if args.date else None
    result = run_from_args(args)
    checked = load_sites(args.sites, wards=result.wards)
    log = read_placements(db)
    ref = given or default_reference_date(result.incidents)
    inputs = (result.incidents, result.hotspots, checked.sites, log)
    ranked = recommend(*inputs, settings=ps, reference_date=ref)
    plan = rotation_plan(*inputs, settings=ps, reference_date=ref)
    greedy = rotation_plan(*inputs, settings=ps, reference_date=ref, method="greedy")
    print(result.counts.sentence())
    print(
        f"{len(checked.sites)} candidate sites from {checked.sites.attrs.get('source', 'sites')} "
        f"({len(checked.rejected)} set aside); placement log {db.name}: {len(log)} placement(s)"
    )
    for r in checked.rejected.itertuples(index=False):
        print(f"note: {r.source_file} row {r.row}: {r.reason}")
    for note in log_notes(log, checked.sites, ref):
        print(f"note: {note}")
    print(
        f"Reference date {ref.isoformat()}; walking radius {ps.radius_m:g} m; half-life "
        f"{ps.half_life_days:g} days; cooldown {ps.cooldown_days} days"
    )
    top = ranked.loc[ranked["eligible"]]
    if len(top):
        t = top.iloc[0]
        print(f"Next placement: {t['name']} ({t['site_id']}), score {t['score']:.1f}")
        print(f"  {t['reason']}")
    else:
        print("No site is eligible for the next placement (see the statuses below).")
    print(f"Ranking (top {min(args.top, len(ranked))} of {len(ranked)}):")
    for r in ranked.head(args.top).itertuples(index=False):
        print(
            f"  {r.rank:>2}. {r.site_id:<30} {r.status:<13} score {r.score:7.1f} = demand "
            f"{r.demand_score:.1f} (incidents {r.incident_score:.1f} + hotspots "
            f"{r.hotspot_score:.1f} - covered {r.covered_score:.1f}) x yield "
            f"{r.yield_factor:.2f} x cooldown {r.cooldown_factor:g}"
        )
    print(f"Plan for the next {ps.plan_weeks} weeks (maximal covering location problem):")
    for w in plan.itertuples(index=False):
        print(
            f"  week {w.week}  {w.start_date:%Y-%m-%d} to {w.end_date:%Y-%m-%d}  "
            f"{w.site_id:<30} +{w.new_incidents} incidents, {w.covered_share:.1%} of demand "
            "covered so far"
        )
    if len(plan):
        print(
            f"  The plan covers {plan['covered_share'].iloc[-1]:.1%} of the weighted demand of "
            f"the last {ps.lookback_days} days (choosing greedily week by week: "
            f"{greedy['covered_share'].iloc[-1]:.1%})."
        )
    if args.out is not None:
        paths = write_postbox_outputs(
            args.out, ranked, plan, result.wards, hotspots=result.hotspots, radius_m=ps.radius_m
        )
        _print_written(paths)
    return 0


def _cmd_postbox_log(args: argparse.Namespace) -> int:
    from geo.placements import add_placement, data_path, placement_from_text, read_placements

    db = data_path(args.db, base=args.data_dir)
    if args.list:
        log = read_placements(db)
        if log.empty:
            print(f"The placement log {db} is empty.")
        for r in log.to_dict("records"):
            note = f"  ({r['note']})" if r["note"] else ""
            print(
                f"#{r['placement_id']} {r['box_id']} at {r['site_id']} "
                f"{r['from_date']:%Y-%m-%d} to {r['to_date']:%Y-%m-%d}: {r['slips']} "
                f"slip{'s' if r['slips'] != 1 else ''}{note}"
            )
        return 0
    from geo.sites import load_sites

    needed = {"--site": args.site, "--from": args.from_date, "--to": args.to_date}
    needed["--slips"] = args.slips
    missing = [k for k, v in needed.items() if v is None]
    if missing:
        raise ValidationError(f"postbox log needs {', '.join(missing)} (or --list to show the log)")
    placement = placement_from_text(
        site_id=args.site,
        from_date=args.from_date,
        to_date=args.to_date,
        slips=args.slips,
        note=args.note or "",
        box_id=args.box,
    )
    known = set(load_sites(args.sites).sites["site_id"])
    pid = add_placement(db, placement, known_sites=known)
    print(f"logged placement #{pid}: {placement.describe()} (in {db})")
    return 0


def _add_postbox_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from geo.pipeline import DATA_DIR
    from geo.placements import DEFAULT_BOX, DEFAULT_DB

    p = sub.add_parser(
        "postbox", help="where the have-your-say postbox should go next; the placement log"
    )
    psub = p.add_subparsers(dest="postbox_command", required=True, parser_class=_Parser)

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--sites", type=Path, help="candidate sites CSV (default: data/sites)")
        q.add_argument(
            "--data-dir", type=Path, default=DATA_DIR, help="data folder holding the log"
        )
        q.add_argument(
            "--db",
            default=DEFAULT_DB.name,
            help=f"placement log file inside the data folder (default: {DEFAULT_DB.name})",
        )

    n = psub.add_parser("next", help="rank the candidate sites and plan the next weeks")
    add_data_options(n)
    common(n)
    n.add_argument("--date", help="reference date YYYY-MM-DD (default: end of the data)")
    n.add_argument("--postbox-config", type=Path, help="TOML file with a [postbox] table")
    n.add_argument("--radius-m", type=float, help="walking radius in metres (default 400)")
    n.add_argument("--half-life-days", type=float, help="recency half-life (default 90)")
    n.add_argument("--cooldown-days", type=int, help="days before a site is reused (56)")
    n.add_argument("--weeks", type=int, help="weeks in the rotation plan (default 4)")
    n.add_argument("--top", type=int, default=5, help="ranked sites to print (default 5)")
    n.add_argument("--out", type=Path, help="write postbox_ranking.csv, _plan.csv, _map.html")
    n.set_defaults(func=_cmd_postbox_next)

    lg = psub.add_parser("log", help="record a placement and its slips, or --list the log")
    common(lg)
    lg.add_argument("--list", action="store_true", help="show every logged placement")
    lg.add_argument("--site", help="site id (see the sites CSV)")
    lg.add_argument("--from", dest="from_date", metavar="YYYY-MM-DD", help="first day")
    lg.add_argument("--to", dest="to_date", metavar="YYYY-MM-DD", help="last day (inclusive)")
    lg.add_argument("--slips", help="slips collected (whole number >= 0)")
    lg.add_argument("--note", help="optional note (staff only)")
    lg.add_argument("--box", default=DEFAULT_BOX, help=f"box id (default: {DEFAULT_BOX})")
    lg.set_defaults(func=_cmd_postbox_log)


def _cmd_export_public(args: argparse.Namespace) -> int:
    from geo.public import PublicSettings, public_view, write_public

    public = PublicSettings(min_count=args.min_count, generalise_m=args.generalise_m)
    result = run_from_args(args)
    view = public_view(result, public=public)
    paths = write_public(result, args.out, public=public, title=args.title, view=view)
    print(
        f"{len(view)} public areas with {public.min_count} or more incidents, outlines on a "
        f"{public.generalise_m:g} m grid; smaller groups are not shown"
    )
    _print_written(paths)
    return 0


def _add_export_public_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from geo.public import DEFAULT_TITLE, MIN_COUNT_FLOOR

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
    p.add_argument(
        "--min-count",
        type=int,
        default=5,
        help=f"hide hotspots with fewer incidents (default 5, at least {MIN_COUNT_FLOOR})",
    )
    p.add_argument(
        "--generalise-m",
        type=float,
        default=50.0,
        help="grid size in metres that outlines are drawn on (default 50, at least 50)",
    )
    p.add_argument("--title", default=DEFAULT_TITLE, help="map title")
    p.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out)")
    p.set_defaults(func=_cmd_export_public)


def _number_list(text: str, option: str) -> list[float]:
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


def _whole_list(text: str, option: str) -> list[int]:
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


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from geo import columns as c
    from geo import evaluate as ev
    from geo import tuning
    from geo.load import load_boundaries, load_incidents
    from geo.pipeline import DEFAULT_BOUNDARIES, DEFAULT_INCIDENTS

    settings = settings_from_args(args)
    eps_values = _number_list(args.eps_values, "--eps-values")
    ms_values = _whole_list(args.min_samples_values, "--min-samples-values")
    raw = load_incidents([str(p) for p in args.incidents] or [DEFAULT_INCIDENTS])
    wards = load_boundaries(
        args.boundaries or DEFAULT_BOUNDARIES,
        code_col=args.ward_code_col,
        name_col=args.ward_name_col,
    )
    bar = _Progress(enabled=not args.no_progress and sys.stderr.isatty())

    def stage(lo: float, hi: float) -> Callable[[str, float], None]:
        return lambda msg, frac: bar(msg, lo + (hi - lo) * frac)

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
            progress=stage(0.0, 0.35),
        )
        table = tuning.sweep(
            raw,
            wards,
            settings,
            eps_values=eps_values,
            min_samples_values=ms_values,
            window_months=args.window_months,
            progress=stage(0.35, 0.95),
        )
        bar("k-distance and plots", 0.96)
        incidents, _ = ev.prepare(raw, wards, settings)
        last = evaluation.folds[-1].fit_months
        recent = incidents.loc[incidents[c.MONTH].astype(str).isin(last)]
        kdist = tuning.k_distance_table(recent, k_values=ms_values)
        paths = ev.write_evaluation(
            args.out,
            evaluation=evaluation,
            sweep=table,
            kdistance=kdist,
            current=(settings.eps_m, settings.min_samples),
        )
    finally:
        bar.close()
    folds = evaluation.folds
    print(
        f"{len(folds)} test months {folds[0].test_month}..{folds[-1].test_month}, each fitted on "
        f"the {args.window_months} months before; all methods at DBSCAN's area "
        f"(eps_m {settings.eps_m:g}, min_samples {settings.min_samples}); all wards:"
    )
    print(ev.markdown_table(ev.summary_text(evaluation.summary)))
    stab = evaluation.stability[evaluation.stability[c.WARD_CODE] == ev.ALL_WARDS]
    if len(stab):
        print(
            f"stability: {stab['share_persisting'].mean():.0%} of hotspots persist into the next "
            f"window; mean area overlap (Jaccard) {stab['jaccard'].mean():.2f}"
        )
    knees = kdist.drop_duplicates("k")
    print(
        "k-distance knee (suggested eps_m) on "
        f"{last[0]}..{last[-1]}: "
        + ", ".join(
            f"k={k:g}: {e:.0f} m" for k, e in zip(knees["k"], knees["suggested_eps_m"], strict=True)
        )
    )
    _print_written(paths)
    return 0


def _add_evaluate_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "evaluate",
        help="judge hotspots on later months against baselines; eps_m x min_samples sweep",
        description=(
            "Rolling-origin evaluation: fit on --window-months months, test on the next month, "
            "for every month in the data. Compares DBSCAN hotspots with kernel density, "
            "Getis-Ord Gi* and last month's busiest grid cells at the same area (hit rate, PAI, "
            "RRI), sweeps eps_m x min_samples, and draws the k-distance curve. Writes CSV "
            "tables and PNG plots into --out."
        ),
    )
    add_data_options(p)
    p.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out)")
    p.add_argument(
        "--window-months", type=int, default=3, help="months fitted before each test month (3)"
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


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m geo`` argument parser with every command."""
    parser = _Parser(prog="python -m geo", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("hotspots", help="cluster incidents into ranked hotspots per ward")
    add_data_options(p)
    p.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out)")
    p.set_defaults(func=_cmd_hotspots)

    _add_hash_password_command(sub)
    _add_intervention_command(sub)
    _add_postbox_command(sub)
    _add_export_public_command(sub)
    _add_evaluate_command(sub)
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
