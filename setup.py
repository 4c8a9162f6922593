"""Packaging that pyproject.toml alone cannot say: the content pack stays at the top of the
repository (content/, the clinic's folder) yet ships inside the package, as bot/content."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["bot", "bot.*"]), "bot.content"],
    package_dir={"bot.content": "content"},
)
