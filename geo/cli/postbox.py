"""The ``postbox`` command: ``postbox next`` (site ranking, rotation plan) and ``postbox log``."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from geo.cli.common import Parser, add_data_options, print_written, run_from_args
from geo.errors import ValidationError

if TYPE_CHECKING:
    from geo.postbox import PostboxSettings


def _postbox_settings(args: argparse.Namespace) -> PostboxSettings:
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
    from geo.postbox import (
        data_end_date,
        data_path,
        load_sites,
        log_notes,
        next_site,
        parse_date,
        read_placements,
        recommend,
        rotation_plan,
        time_frame,
        write_postbox_outputs,
    )

    ps = _postbox_settings(args)
    db = data_path(args.db, base=args.data_dir)
    given = parse_date(args.date, what="--date") if args.date else None
    result = run_from_args(args)
    checked = load_sites(args.sites, wards=result.wards)
    log = read_placements(db)
    end = data_end_date(result.incidents)
    ref = given or date.today()
    inputs = (result.incidents, result.hotspots, checked.sites, log)
    ranked = recommend(*inputs, settings=ps, data_end=end, planning_date=ref)
    plan = rotation_plan(*inputs, settings=ps, data_end=end, planning_date=ref)
    greedy = rotation_plan(*inputs, settings=ps, data_end=end, planning_date=ref, method="greedy")
    print(result.counts.sentence())
    for note in result.notes:
        print(f"note: {note}")
    print(
        f"{len(checked.sites)} candidate sites from {checked.sites.attrs.get('source', 'sites')} "
        f"({len(checked.rejected)} set aside); placement log {db.name}: {len(log)} placement(s)"
    )
    for r in checked.rejected.itertuples(index=False):
        print(f"note: {r.source_file} row {r.row}: {r.reason}")
    for note in log_notes(log, checked.sites, ref):
        print(f"note: {note}")
    print(
        f"Incidents aged to the data's end {end.isoformat()}; planning date {ref.isoformat()}; "
        f"walking radius {ps.radius_m:g} m; half-life "
        f"{ps.half_life_days:g} days; cooldown {ps.cooldown_days} days"
    )
    print(f"Planned on {time_frame(result.incidents, ps, end)}")
    t = next_site(ranked, plan)  # week 1 of the plan
    if t is not None:
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
        print_written(paths)
    return 0


def _cmd_postbox_log(args: argparse.Namespace) -> int:
    from geo.postbox import (
        add_placement,
        data_path,
        load_sites,
        placement_from_text,
        read_placements,
    )

    db = data_path(args.db, base=args.data_dir)
    if args.list:
        log = read_placements(db)
        if log.empty:
            print(f"The placement log {db} is empty.")
            return 0
        sites = load_sites(args.sites).sites
        names = dict(zip(sites["site_id"].astype(str), sites["name"].astype(str), strict=True))
        for r in log.to_dict("records"):
            note = f"  ({r['note']})" if r["note"] else ""
            site = str(r["site_id"])
            # the name people use, with the id that --site takes
            where = (
                f"{names[site]} [{site}]" if site in names else f"{site} (not in the sites list)"
            )
            print(
                f"#{r['placement_id']} {r['box_id']} at {where} "
                f"{r['from_date']:%Y-%m-%d} to {r['to_date']:%Y-%m-%d}: {r['slips']} "
                f"slip{'s' if r['slips'] != 1 else ''}{note}"
            )
        return 0

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


def add_postbox_command(sub: argparse._SubParsersAction[Parser]) -> None:
    """Add ``postbox next`` and ``postbox log`` to ``sub``."""
    from geo.paths import DATA_DIR, DEFAULT_DB
    from geo.postbox import DEFAULT_BOX, POSTBOX_BOUNDS

    p = sub.add_parser(
        "postbox", help="where the have-your-say postbox should go next; the placement log"
    )
    psub = p.add_subparsers(dest="postbox_command", required=True, parser_class=Parser)

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
    n.add_argument(
        "--date",
        help=(
            "planning date YYYY-MM-DD: cooldown, availability and the plan's weeks run from "
            "it (default: today); incident ages count to the data's last day"
        ),
    )
    n.add_argument("--postbox-config", type=Path, help="TOML file with a [postbox] table")
    for option, name, kind in (
        ("--radius-m", "radius_m", float),
        ("--half-life-days", "half_life_days", float),
        ("--cooldown-days", "cooldown_days", int),
        ("--weeks", "plan_weeks", int),
    ):
        n.add_argument(option, type=kind, help=POSTBOX_BOUNDS[name].cli_help())
    n.add_argument("--top", type=int, default=5, help="ranked sites to print (default 5)")
    n.add_argument("--out", type=Path, help="write postbox_ranking.csv, _plan.csv, _map.html")
    n.set_defaults(func=_cmd_postbox_next)

    lg = psub.add_parser("log", help="record a placement and its slips, or --list the log")
    common(lg)
    lg.add_argument(
        "--list",
        action="store_true",
        help="show every logged placement, by site name (and the id --site takes)",
    )
    lg.add_argument("--site", help="site id (see the sites CSV)")
    lg.add_argument("--from", dest="from_date", metavar="YYYY-MM-DD", help="first day")
    lg.add_argument("--to", dest="to_date", metavar="YYYY-MM-DD", help="last day (inclusive)")
    lg.add_argument("--slips", help="slips collected (whole number >= 0)")
    lg.add_argument("--note", help="optional note (staff only)")
    lg.add_argument("--box", default=DEFAULT_BOX, help=f"box id (default: {DEFAULT_BOX})")
    lg.set_defaults(func=_cmd_postbox_log)
