from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog import Catalog, read_pack
from tests.catalog.fixture_pack import make_pack

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A fresh copy of the small valid fixture pack, to break."""
    return make_pack(tmp_path / "pack")


@pytest.fixture(scope="session")
def real_catalog() -> Catalog:
    """The real pack's catalogue. Built even while pictures are still being drawn: the rules
    tested with it (families, conditions, texts) don't depend on them."""
    catalog, problems = read_pack(CONTENT)
    assert catalog is not None, "\n".join(map(str, problems))
    return catalog
