"""The post and application tables, the credit code's check digit, and the gender rule."""
import pytest

from jobs import rules
from jobs.models import APPLICATION_STATES, HOLDS_PLACE, POST_STATES


def test_the_standard_example_credit_code_is_valid():
    assert rules.valid_credit_code("91350100M000100Y43")


@pytest.mark.parametrize("code", [
    "91350100M000100Y44",  # wrong check character
    "91350100M000100Y4",   # 17 characters
    "91350100M000100I43",  # I is not in the alphabet
    "",
])
def test_credit_codes_with_a_wrong_check_character_length_or_letter_are_refused(code):
    assert not rules.valid_credit_code(code)


def test_lower_case_credit_codes_are_read_as_upper_case():
    assert rules.valid_credit_code("91350100m000100y43")


@pytest.mark.parametrize("text", ["限男性", "只招女工", "男士优先", "要求女性，身高160以上",
                                  "女性优先", "性别要求：男", "Men only", "招男保安"])
def test_a_gender_requirement_is_found(text):
    assert rules.gender_requirement("保安", text)


@pytest.mark.parametrize("text", ["男女不限", "不限男女，能吃苦", "需搬运25公斤货物",
                                  "保障女职工权益", ""])
def test_work_descriptions_without_a_gender_requirement_pass(text):
    assert rules.gender_requirement(text) is None


def test_every_post_state_but_the_final_ones_has_a_way_out():
    sources = {state for state, _ in rules.POST_TRANSITIONS}
    assert set(POST_STATES) - sources == {"filled", "expired", "withdrawn"}
    assert {step.to_state for step in rules.POST_TRANSITIONS.values()} <= set(POST_STATES)


def test_only_staff_publish_and_refusing_needs_a_reason():
    assert rules.post_step("pending", "publish").parties == {rules.STAFF}
    assert rules.post_step("pending", "refuse").note_required
    assert rules.post_actions_for("pending", frozenset({rules.EMPLOYER})) == ["withdraw"]


def test_applications_walk_from_applied_to_a_wage_answer():
    path = [("applied", "accept"), ("accepted", "check_in"), ("showed_up", "mark_done"),
            ("done", "report_unpaid"), ("not_paid", "confirm_paid")]
    for state, action in path:
        assert rules.application_step(state, action) is not None
    assert rules.application_step("paid", "report_unpaid") is None
    assert {s.to_state for s in rules.APPLICATION_TRANSITIONS.values()} <= set(APPLICATION_STATES)


@pytest.mark.parametrize("state,action", list(rules.APPLICATION_TRANSITIONS))
def test_each_application_step_moves_places_by_at_most_one(state, action):
    step = rules.application_step(state, action)
    assert rules.place_change(state, step.to_state) in (-1, 0, 1)
    assert (rules.place_change(state, step.to_state) == 1) == (
        step.to_state in HOLDS_PLACE and state not in HOLDS_PLACE)


def test_only_the_worker_answers_the_wage_question():
    assert rules.application_actions_for("done", frozenset({rules.EMPLOYER, rules.STAFF})) == []
    assert rules.application_actions_for("done", frozenset({rules.WORKER})) == [
        "confirm_paid", "report_unpaid"]


def test_riding_minutes_for_one_kilometre():
    assert rules.riding_minutes(1000) == 6
