"""Streamlit front end: a thin shell over the geo package."""

from __future__ import annotations

import streamlit as st

from geo.errors import ValidationError
from geo.maps import hotspot_map
from geo.offline import offline_html
from geo.pipeline import PipelineResult, run_files
from geo.settings import Settings

st.set_page_config(page_title="SE Oxford hotspots", layout="wide")


@st.cache_data(show_spinner=False)
def _run(eps_m: float, min_samples: int) -> PipelineResult:
    return run_files(settings=Settings(eps_m=eps_m, min_samples=min_samples))


st.title("Where incidents concentrate in South East Oxford")
eps = st.sidebar.slider("Cluster radius eps_m (metres)", 20, 400, 80, step=10)
ms = st.sidebar.slider("min_samples (weighted incidents)", 2, 60, 20)
try:
    with st.spinner("Finding hotspots…"):
        result = _run(float(eps), int(ms))
except ValidationError as exc:
    st.error(str(exc))
    st.stop()
st.caption(result.counts.sentence())
st.iframe(offline_html(hotspot_map(result.wards, result.hotspots)), height=620)
st.dataframe(result.hotspots.drop(columns="geometry"), hide_index=True)
