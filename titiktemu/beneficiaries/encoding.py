"""From a clear row to what is stored: keyed hashes of NIK and KK, and a CLK of the person.

One linkage key per regency (``TITIKTEMU_LINKAGE_KEY``, not the app's secret key) gives every
sub-key by HMAC with a label, so the NIK hash, the KK hash and the CLK never share a key, and an
agency holding the key file encodes on its own machine exactly as the server does: the same
functions, the same schema, the same key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from titiktemu.beneficiaries.clk import Encoder, LinkageSchema, product_schema, serialise
from titiktemu.beneficiaries.names import prepare_name
from titiktemu.beneficiaries.reading import ClearRow, EncodedRow

#: A key shorter than this is refused: an HMAC key guessed is every NIK open to a dictionary.
MIN_KEY_CHARS: Final = 32


class LinkageKeyError(ValueError):
    """No linkage key, or one too short to protect anything."""


@dataclass(frozen=True, repr=False)
class LinkageKey:
    """The regency's linkage key and the keys derived from it (``repr`` shows the id only)."""

    nik: bytes
    kk: bytes
    clk: bytes
    #: Names the key without revealing it: an encoded file under another key is refused.
    key_id: str

    def __repr__(self) -> str:
        return f"LinkageKey(key_id={self.key_id!r})"

    @classmethod
    def from_text(cls, text: str, schema: LinkageSchema | None = None) -> LinkageKey:
        value = text.strip()
        if len(value) < MIN_KEY_CHARS:
            raise LinkageKeyError(
                f"the linkage key is too short: use at least {MIN_KEY_CHARS} characters "
                "(titiktemu beneficiaries new-key makes one)"
            )
        master = value.encode("utf-8")
        schema = schema or product_schema()
        digest = hashlib.sha256(schema.text.encode("utf-8")).digest()

        def derive(label: bytes) -> bytes:
            return hmac.new(master, b"titiktemu/" + label, hashlib.sha256).digest()

        return cls(
            nik=derive(b"nik"),
            kk=derive(b"kk"),
            clk=derive(b"clk"),
            key_id=derive(b"key-id/" + digest).hex()[:12],
        )

    @classmethod
    def from_file(cls, path: Path) -> LinkageKey:
        try:
            return cls.from_text(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise LinkageKeyError(f"cannot read the key file {path}: {exc.strerror}") from exc


def new_key() -> str:
    """A fresh linkage key (256 bits, URL-safe text)."""
    return secrets.token_urlsafe(32)


def _hmac(key: bytes, value: str) -> str | None:
    return hmac.new(key, value.encode("ascii"), hashlib.sha256).hexdigest() if value else None


def clk_features(row: ClearRow) -> list[str]:
    """The record the linkage schema describes: ref, name, birth year, day and month (either
    order and as written), sex."""
    born = row.birth_date
    day, month = f"{born.day:02d}", f"{born.month:02d}"
    either = "-".join(sorted((day, month)))
    return [row.ref, prepare_name(row.name), str(born.year), either, f"{day}-{month}", row.sex]


def encode_rows(rows: Iterable[ClearRow], key: LinkageKey) -> list[EncodedRow]:
    """Each row encoded; the clear values go no further than this function's frames."""
    encoder = Encoder(product_schema(), key.clk)
    return [
        EncodedRow(
            row=row.row,
            ref=row.ref,
            village=row.village,
            kecamatan=row.kecamatan,
            birth_year=row.birth_date.year,
            nik_hmac=_hmac(key.nik, row.nik),
            kk_hmac=_hmac(key.kk, row.kk),
            clk=serialise(encoder.encode(clk_features(row))),
            key_id=key.key_id,
        )
        for row in rows
    ]


def write_encoded(rows: Iterable[EncodedRow]) -> str:
    """The encoded file an agency uploads: CSV with the columns ``reading`` reads back."""
    import csv
    import io

    from titiktemu.beneficiaries.reading import ENCODED_COLUMNS

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ENCODED_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                r.ref,
                r.village,
                r.kecamatan,
                r.birth_year,
                r.nik_hmac or "",
                r.kk_hmac or "",
                r.clk,
                r.key_id,
            ]
        )
    return out.getvalue()
