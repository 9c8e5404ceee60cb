"""Where the shipped data lives: the data folder and every default input file."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "DATA_DIR",
    "DEFAULT_BOUNDARIES",
    "DEFAULT_DB",
    "DEFAULT_INCIDENTS",
    "DEFAULT_SITES",
    "EXAMPLE_INTERVENTIONS",
    "FORCE_MONTH",
]

#: The repository's ``data/`` folder (shipped inputs; the placement log is created here).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
#: Shipped police.uk street-level crime for South East Oxford, March-November 2018.
DEFAULT_INCIDENTS = DATA_DIR / "incidents"
#: Shipped ONS 2013 wards of South East Oxford.
DEFAULT_BOUNDARIES = DATA_DIR / "boundaries" / "se_oxford_wards_WD13.geojson"
#: Candidate postbox sites (public places, police.uk snap points).
DEFAULT_SITES = DATA_DIR / "sites" / "se_oxford_sites.csv"
#: The example interventions file (placeholder dates).
EXAMPLE_INTERVENTIONS = DATA_DIR / "interventions" / "example_interventions.csv"
#: The team's placement log (SQLite; created on first use, never committed).
DEFAULT_DB = DATA_DIR / "placements.sqlite"
#: One whole month of Thames Valley Police street-level crime (June 2018), for force-scale runs.
FORCE_MONTH = DATA_DIR / "force" / "2018-06-thames-valley-street.csv"
