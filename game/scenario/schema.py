"""The JSON Schema of format `tightrope/1`, generated from the models, for editors and YAML servers."""

from __future__ import annotations

import json
from typing import Any

from game.scenario.contract import Scenario

SCHEMA_ID = "https://tightrope.invalid/schema/tightrope-1.schema.json"
SCHEMA_FILE_NAME = "tightrope-1.schema.json"


def json_schema() -> dict[str, Any]:
    schema = Scenario.model_json_schema(by_alias=True)
    choice = schema["$defs"]["Choice"]
    # pydantic cannot say "why is required when effects are given"; JSON Schema can.
    choice["dependentRequired"] = {"effects": ["why"]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Tightrope scenario (format tightrope/1)",
        **schema,
    }


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
