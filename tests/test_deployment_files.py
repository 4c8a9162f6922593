"""docker compose can't run here (no Docker engine), so its structure is checked instead."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def setting_names() -> set[str]:
    return {name.upper() for name in Settings.model_fields}


def test_postgres_is_healthchecked_and_keeps_its_data_in_a_named_volume() -> None:
    data = compose()
    postgres = data["services"]["postgres"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in data["volumes"], "the data volume must be named, not a bind mount"


def test_migrate_runs_once_after_postgres_is_healthy() -> None:
    migrate = compose()["services"]["migrate"]
    assert migrate["command"] == ["migrate"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert migrate["restart"] == "no"


def test_bot_starts_after_migrate_completes_and_restarts_on_failure() -> None:
    bot = compose()["services"]["bot"]
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert bot["restart"] == "on-failure"
    assert bot["command"] == ["run"]


def test_bot_and_migrate_read_env_and_talk_to_the_compose_postgres() -> None:
    services = compose()["services"]
    for name in ("bot", "migrate"):
        service = services[name]
        assert service["env_file"] == ".env"
        url = service["environment"]["DATABASE_URL"]
        assert re.fullmatch(
            r"postgresql://stretchbot:\$\{POSTGRES_PASSWORD:-\w+\}@postgres:5432/stretchbot", url
        )
        assert "build" in service


def test_env_example_documents_every_setting() -> None:
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert setting_names() <= documented, setting_names() - documented


def test_readme_settings_table_lists_every_setting() -> None:
    table_rows = set(re.findall(r"^\| `([A-Z_]+)` \|", (ROOT / "README.md").read_text(), re.M))
    assert setting_names() <= table_rows, setting_names() - table_rows
