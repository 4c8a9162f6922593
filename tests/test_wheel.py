"""The package as an operator installs it: a wheel built from exactly what the Dockerfile copies,
holding the migrations, the clinic's content pack (pictures included) and py.typed, installed
plainly (not editable) into a fresh venv and run from a folder that has no source tree."""

from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The repository's files that are not the pack's (content/images/draw.py draws the pictures).
NOT_IN_PACK = {"images/draw.py"}


def dockerfile_sources() -> list[str]:
    """What the Dockerfile copies into /src before `pip install /src`."""
    sources: list[str] = []
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if match := re.fullmatch(r"COPY (.+) /src/?\S*", line.strip()):
            sources += match.group(1).split()
    return sources


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built offline with the venv's setuptools, from a copy holding only the Dockerfile's
    sources: a file the build needs and the image lacks fails here."""
    folder = tmp_path_factory.mktemp("wheel")
    source = folder / "src"
    source.mkdir()
    for name in dockerfile_sources():
        path = ROOT / name
        if path.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(path, source / name, ignore=ignore)
        else:
            shutil.copy2(path, source / name)
    dist = folder / "dist"
    pip = (sys.executable, "-m", "pip")
    run(
        *pip,
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-w",
        dist,
        source,
        cwd=folder,
    )
    (built,) = dist.glob("stretchbot-*.whl")
    return built


def test_the_dockerfile_copies_the_package_sources_and_installs_them_plainly() -> None:
    assert {"pyproject.toml", "setup.py", "bot", "content"} <= set(dockerfile_sources())
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^RUN pip install /src ", dockerfile, re.M), "a plain install of /src"
    assert " -e " not in dockerfile
    assert "--editable" not in dockerfile


def test_the_wheel_holds_the_code_the_migrations_the_content_pack_and_py_typed(
    wheel: Path,
) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    code = {p.relative_to(ROOT).as_posix() for p in (ROOT / "bot").rglob("*.py")}
    assert code - names == set(), "every module and migration of bot/"
    assert "bot/py.typed" in names
    assert "bot/migrations/script.py.mako" in names
    assert any(name.startswith("bot/migrations/versions/") for name in names)

    content = ROOT / "content"
    pack = {
        p.relative_to(content).as_posix()
        for p in content.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    shipped = {n.removeprefix("bot/content/") for n in names if n.startswith("bot/content/")}
    assert shipped == pack - NOT_IN_PACK
    pictures = [name for name in shipped if name.startswith("images/") and name.endswith(".png")]
    assert len(pictures) >= 14
    assert not [name for name in names if name.endswith(".pyc") or "alembic.ini" in name]


def test_installed_from_the_wheel_it_checks_its_pack_and_migrates_from_any_folder(
    wheel: Path, tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    # The dependencies come from this (test) environment, offline; `bot` only from the wheel
    # (the editable install's finder is not loaded: .pth files in a listed folder are not read).
    target = Path(
        run(
            python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path
        ).strip()
    )
    (target / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "--no-index",
        wheel,
        cwd=tmp_path,
    )

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DATABASE_", "CONTENT_", "PYTHON"))
    }
    where = run(
        python, "-c", "import bot.config as c; print(c.DEFAULT_CONTENT_DIR)", cwd=elsewhere, env=env
    )
    assert Path(where.strip()).is_relative_to(env_dir), "the pack that ships in the package"

    stretchbot = env_dir / "bin" / "stretchbot"
    checked = run(stretchbot, "content", "check", cwd=elsewhere, env=env)
    assert checked.startswith("OK: 14 stretches, 2 conditions"), checked
    migrated = run(stretchbot, "migrate", cwd=elsewhere, env=env)
    assert "database is up to date" in migrated
    assert (elsewhere / "data" / "stretchbot.sqlite3").is_file()
