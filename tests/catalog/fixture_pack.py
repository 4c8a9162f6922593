"""A small, valid content pack built in a temporary directory, for breaking on purpose.

Five stretches in three families, one condition:

    reach (base)  <-> easier: reach-gentle        both not for "sore-knees"
    twist (base)  --> left side: twist-left
    lie (base)

Tests copy it, break one thing, and check the report names the file and the field.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from PIL import Image

STRETCHES: dict[str, dict[str, Any]] = {
    "reach": {
        "id": "reach",
        "title": "Reach",
        "order": 10,
        "role": "base",
        "body_area": "lower back",
        "sides": "n.a.",
        "steps": ["Kneel on the floor.", "Reach forward & breathe out."],
        "hold": "Hold for a count of 5.",
        "repeat": "Repeat twice.",
        "cautions": ["Don't arch your back."],
        "contraindications": ["sore-knees"],
        "easier": "reach-gentle",
        "picture": "images/reach.png",
    },
    "reach-gentle": {
        "id": "reach-gentle",
        "title": "Reach – gentle",
        "order": 20,
        "role": "variation",
        "body_area": "lower back",
        "sides": "n.a.",
        "steps": ["Reach forward only a little."],
        "contraindications": ["sore-knees"],
        "stronger": "reach",
        "picture": "images/reach-gentle.png",
    },
    "twist": {
        "id": "twist",
        "title": "Twist",
        "order": 30,
        "role": "base",
        "body_area": "lower back",
        "sides": "both",
        "steps": ["Lie on your back.", "Let the knees fall to one side."],
        "tips": ["A pillow under your head if necessary."],
        "side_variants": {"left": "twist-left"},
        "picture": "images/twist.png",
    },
    "twist-left": {
        "id": "twist-left",
        "title": "Twist – left side",
        "order": 40,
        "role": "variation",
        "body_area": "lower back",
        "sides": "left",
        "side_variant_of": "twist",
        "steps": ["Let the knees fall to the right."],
        "picture": "images/twist-left.png",
    },
    "lie": {
        "id": "lie",
        "title": "Lie still",
        "order": 50,
        "role": "base",
        "body_area": "whole back",
        "sides": "n.a.",
        "steps": ["Lie on your back."],
        "picture": "images/lie.png",
    },
}

CONDITIONS: dict[str, Any] = {
    "conditions": [
        {
            "id": "sore-knees",
            "label": "Sore knees",
            "question": "Do your knees hurt when you kneel?",
            "excludes": ["reach", "reach-gentle"],
        }
    ]
}

TEXTS: dict[str, Any] = {
    "clinic": "Example Clinic",
    "sheet_title": "Example stretches",
    "about": [
        {"source": "clinic", "text": "Example Clinic opened in 2004."},
        {"source": "stretchbot", "text": "General stretches, not a diagnosis."},
    ],
    "safety": [{"source": "stretchbot", "text": "Stop if the pain is sharp."}],
    "card_note": {"source": "stretchbot", "text": "Stop if it hurts."},
}


def make_picture(path: Path, size: tuple[int, int] = (400, 300), kind: str = "PNG") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (200, 220, 240)).save(path, kind)
    return path


def make_pack(root: Path) -> Path:
    """Write the valid fixture pack at `root` and return `root`."""
    (root / "stretches").mkdir(parents=True)
    for stretch_id, stretch in STRETCHES.items():
        write_yaml(root / "stretches" / f"{stretch_id}.yaml", stretch)
        make_picture(root / stretch["picture"])
    write_yaml(root / "conditions.yaml", CONDITIONS)
    write_yaml(root / "texts.yaml", TEXTS)
    return root


def write_yaml(path: Path, data: object) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Load a YAML file of the pack, let `change` modify it, write it back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    write_yaml(path, data)


def stretch_file(root: Path, stretch_id: str) -> Path:
    return root / "stretches" / f"{stretch_id}.yaml"
