"""Shared widgets on their own (AppTest from a function): the ward picker."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def picker_app(n_wards: int) -> AppTest:
    def app() -> None:
        import streamlit as st

        from ui.widgets import ward_picker

        names = {f"W{i:02d}": f"Ward {i}" for i in range(int(st.session_state["n"]))}
        st.session_state["chosen"] = ward_picker(st, names, key="wards")

    at = AppTest.from_function(app)
    at.session_state["n"] = n_wards
    return at.run()


def test_a_few_wards_are_buttons_all_chosen_at_first_and_kept_in_ward_order():
    at = picker_app(7)
    assert not at.exception
    assert not at.multiselect
    pills = at.pills(key="wards")
    assert pills.options == [f"Ward {i}" for i in range(7)]  # every name in sight
    assert at.session_state["chosen"] == [f"W{i:02d}" for i in range(7)]
    pills.set_value(["W05", "W01"]).run()
    assert at.session_state["chosen"] == ["W01", "W05"]
    at.pills(key="wards").set_value([]).run()
    assert at.session_state["chosen"] == []


def test_a_national_file_of_wards_is_a_drop_down_list():
    at = picker_app(40)
    assert not at.exception
    assert not at.pills
    assert len(at.multiselect(key="wards").value) == 40
    assert len(at.session_state["chosen"]) == 40
