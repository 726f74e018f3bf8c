"""The principle catalogue: the named leadership ideas that every choice's explanation is grounded in."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Principle:
    id: str
    name: str
    rationale: str
    note: str


class Catalogue(Mapping[str, Principle]):
    """Principles by id, in the order the catalogue lists them."""

    def __init__(self, principles: list[Principle]) -> None:
        self._by_id = {p.id: p for p in principles}
        if len(self._by_id) != len(principles):
            raise ValueError("principle ids must be unique")

    def __getitem__(self, principle_id: str) -> Principle:
        return self._by_id[principle_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)


def parse_catalogue(text: str) -> Catalogue:
    import yaml  # only when the catalogue is first read: most starts never need it

    data = yaml.safe_load(text)
    return Catalogue([Principle(**entry) for entry in data["principles"]])


@cache
def load_catalogue() -> Catalogue:
    """The shipped catalogue; read once per process."""
    text = resources.files("scoring").joinpath("principles.yaml").read_text(encoding="utf-8")
    return parse_catalogue(text)
