"""The pack's file formats, as pydantic models that only parse: cross-file rules live in
`loader`. Every model forbids unknown keys, so a typo (``contraindication:``) is reported
instead of silently ignored."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints, ValidationError
from pydantic_core import ErrorDetails

from bot.catalog.model import OneSide, Role, Side, Source
from bot.catalog.problems import WHOLE_FILE, Problem

# Ids travel in callback data (64 bytes in all), next to an action and a user id: keep them short.
ID_MAX_LENGTH = 32
LABEL_MAX_LENGTH = 30  # a condition's toggle button
TITLE_MAX_LENGTH = 120

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=ID_MAX_LENGTH),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX_LENGTH)
]
Label = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=LABEL_MAX_LENGTH)
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RawFromBase(_Strict):
    """A variation's borrowed words: the base stretch's start, hold and repeat, where the sheet
    implies them ("From the start position above"), so the variation's card stands alone."""

    start: list[Text] = []
    hold: Text | None = None
    repeat: Text | None = None


class RawStretch(_Strict):
    id: Slug
    title: Title
    order: Annotated[int, Strict()]  # not `true`, not "10": YAML typing slips are reported
    role: Role
    body_area: Text
    sides: Side
    steps: list[Text] = Field(min_length=1)
    hold: Text | None = None
    repeat: Text | None = None
    cautions: list[Text] = []
    tips: list[Text] = []
    contraindications: list[Slug] = []
    easier: Slug | None = None
    stronger: Slug | None = None
    side_variants: dict[OneSide, Slug] = {}
    side_variant_of: Slug | None = None
    # On a base with side variants: the sheet's paragraph about stretching one side more.
    side_paragraph: Text | None = None
    from_base: RawFromBase | None = None
    picture: Text
    animation: Text | None = None


class RawCondition(_Strict):
    id: Slug
    label: Label
    question: Text
    excludes: list[Slug] = []


class RawConditions(_Strict):
    conditions: list[RawCondition]


class RawTextBlock(_Strict):
    source: Source
    text: Text


class RawTexts(_Strict):
    clinic: Text
    sheet_title: Text | None = None
    about: list[RawTextBlock] = Field(min_length=1)
    safety: list[RawTextBlock] = Field(min_length=1)
    card_note: RawTextBlock


# -- YAML ----------------------------------------------------------------------------------------


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys: PyYAML silently keeps the last one, which would
    hide a second `easier:` or a pasted-over `contraindications:`."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise _DuplicateKey(
                    "while reading a mapping",
                    node.start_mark,
                    f"duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path, relative: str) -> tuple[object, list[Problem]]:
    """The parsed document, or None and the problem (unreadable, not UTF-8, bad YAML)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(relative, WHOLE_FILE, f"cannot read the file: {error}")]
    try:
        document = yaml.load(
            text, Loader=_StrictLoader
        )  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as error:
        return None, [Problem(relative, WHOLE_FILE, _yaml_message(error))]
    if document is None:
        return None, [Problem(relative, WHOLE_FILE, "the file is empty")]
    if not isinstance(document, dict):
        kind = type(document).__name__
        return None, [Problem(relative, WHOLE_FILE, f"expected a mapping of keys, found a {kind}")]
    return document, []


def _yaml_message(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        return (
            f"YAML syntax error at line {mark.line + 1}, column {mark.column + 1}: {error.problem}"
        )
    return f"YAML syntax error: {error}"


# -- pydantic errors -> problems -----------------------------------------------------------------

ModelT = TypeVar("ModelT", bound=BaseModel)


def parse(
    model: type[ModelT], document: object, relative: str, prefix: str = ""
) -> tuple[ModelT | None, list[Problem]]:
    try:
        return model.model_validate(document), []
    except ValidationError as error:
        return None, [
            Problem(relative, _field(prefix, e["loc"]), _message(model, e))
            for e in error.errors(include_url=False)
        ]


def _field(prefix: str, loc: tuple[int | str, ...]) -> str:
    text = prefix
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("str", "int", "function-after[...]"):
            continue
        else:
            text += f".{part}" if text else part
    return text or WHOLE_FILE


def _message(model: type[BaseModel], error: ErrorDetails) -> str:
    kind = error["type"]
    loc = error["loc"]
    name = str(loc[-1]) if loc else ""
    if kind == "missing":
        return "missing: this field is required"
    if kind == "extra_forbidden":
        known = _known_keys(model, loc)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown key{hint}; known keys: {', '.join(sorted(known))}"
    if kind == "string_too_short":
        return "empty: write the text here"
    if kind == "too_short" and name == "steps":
        return "empty instructions: at least one step is needed"
    if kind == "string_pattern_mismatch":
        return "must be lowercase letters and digits joined by '-', like knee-hugs"
    if kind == "string_too_long":
        limit = (error.get("ctx") or {}).get("max_length")
        return f"too long: at most {limit} characters"
    return str(error["msg"])


def _known_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    # Walk the location down nested models so a typo in conditions[1] suggests RawCondition's
    # keys, not RawConditions'.
    current: type[BaseModel] = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part)
        if info is None:
            break
        nested = _model_in(info.annotation)
        if nested is None:
            break
        current = nested
    return list(current.model_fields)


def _model_in(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        found = _model_in(argument)
        if found is not None:
            return found
    return None
