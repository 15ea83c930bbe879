"""The package list, the one thing pyproject.toml cannot say: find() only sees folders under
the project root by their own names, and the top-level migrations/ folder must also ship, inside
the wheel, as titiktemu.migrations (pyproject.toml maps that name to the folder)."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["titiktemu*", "web*", "worker*", "graph*"]),
        "titiktemu.migrations",
    ],
)
