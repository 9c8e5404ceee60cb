"""Give the police.uk public places among the postbox sites a name someone can find.

police.uk labels some map points only with a kind of place ("On or near Supermarket"), so
those sites were named by kind and ward ("Supermarket, Cowley ward"). This script names each
of them after the nearest named police.uk street point in the shipped incident files (the
public ``Location`` values, within 400 m) and the ward: "Supermarket near Between Towns
Road, Cowley" (``geo.postbox.sites.nearest_street`` and ``findable_name``). Only rows whose
``notes`` start with "police.uk public place" change; run it again after adding such sites::

    .venv/bin/python scripts/name_postbox_sites.py
"""

from __future__ import annotations

import pandas as pd

from geo.io import load_boundaries
from geo.paths import DEFAULT_BOUNDARIES, DEFAULT_INCIDENTS, DEFAULT_SITES
from geo.postbox.sites import findable_name, load_sites, nearest_street

PUBLIC_PLACE = "police.uk public place"


def police_uk_locations() -> pd.DataFrame:
    """``Longitude``, ``Latitude``, ``Location`` of every row of the shipped incident files."""
    cols = ["Longitude", "Latitude", "Location"]
    files = sorted(DEFAULT_INCIDENTS.glob("*.csv"))
    return pd.concat([pd.read_csv(f, usecols=cols) for f in files], ignore_index=True)


def main() -> None:
    """Rewrite the ``name`` of the police.uk public places in the shipped sites file."""
    raw = pd.read_csv(DEFAULT_SITES, dtype=str, keep_default_na=False)
    wards = load_sites(DEFAULT_SITES, wards=load_boundaries(DEFAULT_BOUNDARIES)).sites
    ward_of = dict(zip(wards["site_id"], wards["ward_name"], strict=True))
    locations = police_uk_locations()
    for i, row in raw.iterrows():
        if not row["notes"].startswith(PUBLIC_PLACE):
            continue
        street = nearest_street(float(row["longitude"]), float(row["latitude"]), locations)
        name = findable_name(row["kind"], street, ward_of[row["site_id"]])
        print(f"{row['site_id']}: {row['name']} -> {name}")
        raw.loc[i, "name"] = name
    raw.to_csv(DEFAULT_SITES, index=False, lineterminator="\n")


if __name__ == "__main__":
    main()
