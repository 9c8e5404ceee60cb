"""Interventions in the app: the cached evaluation, and the Analyst page's detailed panel.

The Patrol page's "did it work?" cards (:mod:`ui.effect_cards`) read the same file and the
same cached evaluation: the file uploaded on the Analyst page while it is there, otherwise
the shipped example file.
"""

from __future__ import annotations

from collections.abc import Hashable

import streamlit as st

from geo.errors import ValidationError
from geo.interventions import (
    INTERVENTION_BOUNDS,
    Intervention,
    InterventionOptions,
    InterventionResult,
    effects_table,
    evaluate_intervention,
    intervention_map,
    interventions_table,
    load_interventions,
    series_png,
)
from geo.io import incident_uploads, sources_digest
from geo.maps import svg_html
from geo.paths import EXAMPLE_INTERVENTIONS
from geo.settings import Settings
from geo.source import DataSource
from ui import cache, state
from ui.widgets import LIMITS, dashes_for_missing, plain_labels, show_problem

#: Session-state key of the interventions file uploaded on the Analyst page, if any.
SOURCE = "interventions_source"
#: How every card of the Patrol page is evaluated: the Analyst panel's default options.
CARD_OPTIONS = InterventionOptions()


@st.cache_resource(show_spinner=False, max_entries=8)
def evaluate_cached(
    key: str,
    settings_key: Hashable,
    iv_key: str,
    iv_id: str,
    options: tuple[float, int, int],
    _source: DataSource,
    _settings: Settings,
    _iv_source: tuple[str, bytes] | None,
) -> InterventionResult:
    """Before/after, displacement and hotspot shift of one intervention (read-only)."""
    raw, wards, _ = cache.load(key, _source)
    base = cache.run(key, settings_key, _source, _settings)
    ivs = load_interventions(_iv_source or EXAMPLE_INTERVENTIONS)
    iv = next(i for i in ivs if i.intervention_id == iv_id)
    radius, before, after = options
    opts = InterventionOptions(radius_m=radius, months_before=before, months_after=after)
    return evaluate_intervention(raw, wards, iv, options=opts, base=base)


def file_key(source: tuple[str, bytes] | None) -> str:
    """The cache key of an interventions file: ``"example"`` or the digest of its bytes."""
    return sources_digest([source], None) if source else "example"


def uploaded_source() -> tuple[str, bytes] | None:
    """The interventions file uploaded on the Analyst page in this session (None: the example)."""
    value = st.session_state.get(SOURCE)
    return value if isinstance(value, tuple) else None


def current_interventions() -> tuple[list[Intervention], tuple[str, bytes] | None]:
    """The interventions in use and their file (None for the shipped example file)."""
    source = uploaded_source()
    return load_interventions(source or EXAMPLE_INTERVENTIONS), source


def evaluate(
    settings: Settings,
    iv_id: str,
    source: tuple[str, bytes] | None,
    *,
    options: InterventionOptions = CARD_OPTIONS,
) -> InterventionResult:
    """The cached evaluation of intervention ``iv_id`` of ``source`` on the data in use."""
    src = state.data_source()
    return evaluate_cached(
        src.key,
        settings.cache_key(),
        file_key(source),
        iv_id,
        (float(options.radius_m), int(options.months_before), int(options.months_after)),
        src,
        settings,
        source,
    )


def intervention_panel(settings: Settings) -> None:
    """Staff: whether a warrant, closure order or team start changed incidents nearby."""
    upload = st.file_uploader(
        "Interventions CSV (default: the shipped example file)", type=["csv"], key="iv_upload"
    )
    try:
        source = None
        if upload is not None:
            source = incident_uploads([(upload.name, upload.getvalue())], limits=LIMITS)[0]
        ivs = load_interventions(source or EXAMPLE_INTERVENTIONS)
    except ValidationError as exc:
        st.session_state.pop(SOURCE, None)
        show_problem("The interventions file could not be used:", exc)
        return
    st.session_state[SOURCE] = source
    table = interventions_table(ivs)
    st.dataframe(table, hide_index=True, width="stretch", column_config=plain_labels(table))
    ids = [iv.intervention_id for iv in ivs]
    o1, o2, o3, o4 = st.columns(4)
    iv_id = o1.selectbox("Intervention", ids, key="iv_id")
    rb, mb, ma = (INTERVENTION_BOUNDS[k] for k in ("radius_m", "months_before", "months_after"))
    r_lo, r_hi = rb.typical or (50.0, 1000.0)
    m_lo, m_hi = mb.typical or (1, 12)
    radius = o2.slider(
        "Target radius (m)", r_lo, r_hi, float(rb.default), step=rb.step, key="iv_radius"
    )
    before = o3.number_input("Months before", m_lo, m_hi, int(mb.default), key="iv_before")
    after = o4.number_input("Months after", m_lo, m_hi, int(ma.default), key="iv_after")
    opts = InterventionOptions(
        radius_m=float(radius), months_before=int(before), months_after=int(after)
    )
    with st.spinner("Comparing before and after…"):
        result = evaluate(settings, str(iv_id), source, options=opts)
    for warning in result.warnings:
        st.warning(warning[:1].upper() + warning[1:])
    effects = dashes_for_missing(effects_table([result]))  # area-wide: no radius or ring
    st.dataframe(effects, hide_index=True, width="stretch", column_config=plain_labels(effects))
    st.iframe(svg_html(intervention_map(result)), height=480)
    st.image(series_png([result]), width="stretch")
