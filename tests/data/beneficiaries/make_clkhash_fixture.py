"""Write ``clkhash-0.18.3.json``: clkhash's own CLKs of prepared records under the product schema.

Run it with a Python that has clkhash 0.18.3 installed, in a throwaway virtualenv (clkhash is not
a dependency of the product, see ``titiktemu/beneficiaries/clk.py`` for why)::

    python -m venv /tmp/clkvenv && /tmp/clkvenv/bin/pip install clkhash==0.18.3
    /tmp/clkvenv/bin/python tests/data/beneficiaries/make_clkhash_fixture.py

It does not import titiktemu: the records are written here already prepared (what
``prepare_name`` and ``encoding.clk_features`` give), and the schema is read from
``titiktemu/data/linkage-schema.json`` as published. The JSON keeps the sha256 of that file, so a
test can tell that the schema changed since and the fixture must be made again.

``sex`` is a one-letter string feature (L, P, or empty when a list does not say): a few records
here leave it empty, as clkhash allows.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import clkhash  # type: ignore[import-not-found, unused-ignore]
from clkhash.clk import generate_clks  # type: ignore[import-not-found, unused-ignore]
from clkhash.schema import from_json_dict  # type: ignore[import-not-found, unused-ignore]
from clkhash.serialization import serialize_bitarray  # type: ignore[import-not-found, unused-ignore]

HERE = Path(__file__).resolve().parent
SCHEMA = HERE.parents[2] / "titiktemu" / "data" / "linkage-schema.json"
OUT = HERE / f"clkhash-{clkhash.__version__}.json"

#: Two secrets, as ``LinkageKey.clk`` would be: bytes, given here as hex.
SECRETS = (
    "6b6c6174656e2d323032362d6c696e6b6167652d6b65792d6f6e652d2d2d2d21",
    "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0",
)

#: [ref, name, birth_year, birth_day_month_either_order, birth_day_month, sex]
RECORDS: list[list[str]] = [
    ["1", "sri wahyuni", "1975", "03-05", "05-03", "P"],
    ["1a", "sri wahyuni", "1975", "03-05", "05-03", ""],
    ["1b", "tri wahyudi", "1970", "11-12", "12-11", ""],
    ["2", "sri wahyuningsih", "1975", "03-05", "05-03", "P"],
    ["3", "muhammad ridwan", "1982", "03-12", "12-03", "L"],
    ["4", "muhammad ridwan", "1982", "03-12", "03-12", "L"],
    ["5", "suparmi", "1960", "01-08", "08-01", "P"],
    ["6", "suparmi ningsih", "1960", "01-08", "08-01", "P"],
    ["7", "sumarni", "1948", "07-17", "17-07", "P"],
    ["8", "joko susilo", "1971", "09-11", "11-09", "L"],
    ["9", "cipto wiyono", "1939", "02-28", "28-02", "L"],
    ["10", "siti aminah", "1990", "12-31", "31-12", "P"],
    ["11", "siti nur khasanah", "1988", "04-04", "04-04", "P"],
    ["12", "agus", "2001", "06-10", "10-06", "L"],
    ["13", "a", "1955", "01-01", "01-01", "L"],
    ["14", "", "1967", "05-22", "22-05", "P"],
    ["15", "", "", "", "", "L"],
    ["16", "bambang", "", "", "", "L"],
    ["17", "tri", "1999", "02-29", "29-02", "P"],
    ["18", "dwi", "2000", "02-29", "29-02", "L"],
    ["19", "ngatini", "1944", "10-10", "10-10", "P"],
    ["20", "sugiyono", "1958", "06-30", "30-06", "L"],
    ["21", "heru prasetyo", "1979", "08-19", "19-08", "L"],
    ["22", "endang sri rahayu", "1968", "11-25", "25-11", "P"],
    ["23", "raden mas harjo sumantri", "1932", "03-09", "09-03", "L"],
    ["24", "muhammad nur ali rohman", "1986", "01-14", "14-01", "L"],
    ["25", "yuliana dewi kusumaningrum", "1993", "07-07", "07-07", "P"],
    ["26", "warsito", "1952", "05-12", "12-05", "L"],
    ["27", "warsito", "1952", "05-12", "05-12", "L"],
    ["28", "tukiyem", "1937", "04-20", "20-04", "P"],
    ["29", "sunarto hadi", "1963", "09-27", "27-09", "L"],
    ["30", "dyah ayu", "2005", "03-11", "11-03", "P"],
    ["31", "ny", "1970", "06-06", "06-06", "P"],
    ["32", "kasmo", "1929", "01-31", "31-01", "L"],
    ["33", "lestari", "2010", "02-15", "15-02", "P"],
    ["34", "purwanto", "1976", "08-08", "08-08", "L"],
    ["35", "nyoman", "1984", "10-12", "12-10", "L"],
    ["36", "syamsul arifin", "1977", "04-30", "30-04", "L"],
    ["37", "winarni", "1965", "05-18", "18-05", "P"],
    ["38", "x", "", "03-12", "12-03", "P"],
    ["39", "parjo", "1950", "", "", "L"],
    [
        "ref-with-a-long-id-40",
        "bagus adi nugroho setyo wibowo kurniawan",
        "1995",
        "12-12",
        "12-12",
        "L",
    ],
]


def _dumps(fixture: dict[str, Any]) -> str:
    """Indented JSON with one record a line (a changed CLK shows as one changed line)."""
    head = {k: v for k, v in fixture.items() if k != "records"}
    text = json.dumps(head, indent=1, ensure_ascii=False)[: -len("\n}")]
    records = ",\n".join(
        "  " + json.dumps(r, ensure_ascii=False, separators=(", ", ": "))
        for r in fixture["records"]
    )
    return f'{text},\n "records": [\n{records}\n ]\n}}\n'


def main() -> None:
    schema_bytes = SCHEMA.read_bytes()
    schema = from_json_dict(json.loads(schema_bytes))
    encodings: dict[str, list[str]] = {}
    for secret in SECRETS:
        clks = generate_clks(RECORDS, schema, bytes.fromhex(secret), max_workers=1)
        encodings[secret] = [serialize_bitarray(clk) for clk in clks]
    fixture: dict[str, Any] = {
        "clkhash_version": clkhash.__version__,
        "schema_sha256": hashlib.sha256(schema_bytes).hexdigest(),
        "secrets_hex": list(SECRETS),
        "records": [
            {"values": record, "clks": [encodings[secret][i] for secret in SECRETS]}
            for i, record in enumerate(RECORDS)
        ],
    }
    OUT.write_text(_dumps(fixture), encoding="utf-8")
    print(
        f"wrote {OUT.relative_to(HERE.parents[2])}: {len(RECORDS)} records, {len(SECRETS)} secrets"
    )


if __name__ == "__main__":
    main()
