"""The JSON Schema is generated from the models, shipped as a file, and agrees with the loader."""

from __future__ import annotations

import json

from game.cli import main
from game.paths import shipped
from game.scenario.schema import SCHEMA_FILE_NAME, json_schema, json_schema_text


def test_shipped_schema_file_matches_the_models() -> None:
    shipped_text = (shipped("assets") / SCHEMA_FILE_NAME).read_text(encoding="utf-8")
    assert shipped_text == json_schema_text(), "run `tightrope schema > assets/tightrope-1.schema.json`"


def test_schema_command_prints_the_schema(capsys: object) -> None:
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
    assert printed == json_schema()


def test_schema_describes_the_contract() -> None:
    schema = json_schema()
    assert schema["properties"]["format"]["const"] == "tightrope/1"
    assert set(schema["required"]) >= {"format", "id", "title", "summary", "role", "start", "scenes"}
    choice = schema["$defs"]["Choice"]
    assert "if" in choice["properties"] and "condition" not in choice["properties"]
    assert choice["additionalProperties"] is False
    assert choice["dependentRequired"] == {"effects": ["why"]}
    effects = schema["$defs"]["Effects"]["properties"]["safety"]["anyOf"][0]
    assert (effects["minimum"], effects["maximum"]) == (-30, 30)
