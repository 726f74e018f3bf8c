"""The game's plain scenario classes against the contract: the same fields, and built to the same values."""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from game.library import default_folder, scenario_files
from game.scenario import contract, models
from game.scenario.loader import load_file
from scoring import load_catalogue

CONTRACT_MODELS = [
    model
    for _, model in inspect.getmembers(contract, inspect.isclass)
    if issubclass(model, contract.Strict) and model is not contract.Strict
]
SHIPPED = scenario_files([default_folder()])
FIXTURES = Path(__file__).parent.parent / "fixtures" / "achievements"
WITH_ACHIEVEMENTS = [FIXTURES / "drill.yaml", FIXTURES / "unearnable.yaml"]


@pytest.mark.parametrize("model", CONTRACT_MODELS, ids=lambda model: model.__name__)
def test_each_contract_model_has_a_plain_class_with_the_same_fields(model: type[BaseModel]) -> None:
    plain = getattr(models, model.__name__)
    assert {spec.name for spec in dataclasses.fields(plain)} == set(model.model_fields)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_a_shipped_scenario_survives_a_json_round_trip(path: Path) -> None:
    scenario = load_file(path, load_catalogue()).scenario
    assert scenario is not None
    assert models.Scenario.from_data(json.loads(json.dumps(scenario.as_data()))) == scenario


@pytest.mark.parametrize("path", WITH_ACHIEVEMENTS, ids=lambda path: path.stem)
def test_an_achievement_condition_gives_the_keys_its_author_wrote(path: Path) -> None:
    document = load_file(path, load_catalogue()).document
    assert document is not None
    validated = contract.Scenario.model_validate(document.data)
    played = validated.story()
    assert played.achievements
    for written, plain in zip(validated.achievements, played.achievements, strict=True):
        assert plain.condition.given() == written.condition.model_dump(exclude_defaults=True)


HEAD = {"format": "tightrope/1", "id": "x", "title": "T", "summary": "S", "role": "R", "start": "a"}


@pytest.mark.parametrize(
    ("data", "complaint"),
    [
        ({"id": "x"}, "format: missing"),
        ({**HEAD, "scenes": {"a": {"text": "Hi", "choices": "none"}}}, "scenes.a.choices: should be a list"),
        ({**HEAD, "scenes": {"a": {"text": "Hi", "ending": {"title": "E", "tone": "great"}}}},
         "scenes.a.ending.tone: should be one of 'good', 'mixed', 'poor'"),
        ({**HEAD, "scenes": {}, "extra": 1}, "extra: unknown key"),
        ({**HEAD, "scenes": {}, "minutes": True}, "minutes: should be a whole number"),
        ({**HEAD, "scenes": {"a": {"text": 7}}}, "scenes.a.text: should be text"),
    ],
)  # fmt: skip
def test_data_of_another_shape_is_a_value_error_that_says_where(data: object, complaint: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(complaint)}$"):
        models.Scenario.from_data(data)
