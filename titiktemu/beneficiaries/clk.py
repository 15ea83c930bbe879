"""Cryptographic Linkage Keys: Bloom-filter encodings of a person's name, birth date and sex.

The encoding is the one ``clkhash`` (Data61) defines, driven by the linkage schema published with
the product (``titiktemu/data/linkage-schema.json``, a clkhash v3 schema): per-feature keys
derived from the secret with HKDF-SHA256, each token (name bigrams, exact values) put into a
1,024-bit filter by keyed BLAKE2b, serialised as clkhash serialises (base64 of the bits). An
encoding made here equals clkhash 0.18's for the same prepared values and secret, byte for byte
(``tests/data/beneficiaries/clkhash-0.18.3.json`` holds clkhash's own output, checked by a test).

Why our own encoder instead of importing clkhash: clkhash 0.18 pins ``cryptography<41`` (a
version with published vulnerabilities) and ``mypy_extensions<0.5`` (which mypy cannot run
with), and clkhash 0.16 installs a fork of ``bitarray`` over the one ``anonlink`` needs. The part
we use is a page of code: the schema subset below, validated on load, nothing else. Comparison
stays with ``anonlink`` (``titiktemu.beneficiaries.linkage``).

Speed: a token's bits depend only on the token, its feature key and its count, and a regency's
names share few distinct bigrams, so each token's filter is computed once per process (an
``int`` mask) and a record is the OR of its tokens' masks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Final

#: The tokens of a feature whose every value is one token (``exact``) or its bigrams (``ngram``).
_KINDS: Final = ("exact", "ngram")
_TOKEN_CACHE: Final = 1 << 17


class SchemaError(ValueError):
    """The linkage schema uses something this encoder does not implement."""


@dataclass(frozen=True)
class Feature:
    identifier: str
    ignored: bool
    comparison: str = "exact"  # or "ngram"
    n: int = 2
    #: "bitsPerToken" (each token this many bits) or "bitsPerFeature" (spread over the tokens)
    strategy: str = "bitsPerToken"
    bits: int = 0
    values: tuple[str, ...] = ()  # an enum feature's allowed values

    def tokens(self, value: str) -> list[str]:
        """clkhash's tokenisation: the value whole, or its n-grams padded with spaces."""
        if not value:
            return []
        if self.comparison == "exact":
            return [value]
        padded = " " * (self.n - 1) + value + " " * (self.n - 1)
        return [padded[i : i + self.n] for i in range(len(padded) - self.n + 1)]

    def bits_per_token(self, count: int) -> list[int]:
        if self.strategy == "bitsPerToken":
            return [self.bits] * count
        each, extra = divmod(self.bits, count)
        return [each + 1] * extra + [each] * (count - extra)


@dataclass(frozen=True)
class LinkageSchema:
    """The parts of a clkhash v3 schema the product uses, checked when loaded."""

    length: int
    salt: bytes
    info: bytes
    key_size: int
    features: tuple[Feature, ...]
    text: str  # the schema file as published

    @property
    def fields(self) -> tuple[str, ...]:
        """The features a record gives, in order (the ignored ``ref`` first)."""
        return tuple(f.identifier for f in self.features)


def parse_schema(text: str) -> LinkageSchema:
    """Read a clkhash v3 schema, refusing what the encoder would get wrong silently."""
    raw = json.loads(text)
    if raw.get("version") != 3:
        raise SchemaError("only clkhash schema version 3 is supported")
    config = raw["clkConfig"]
    kdf = config["kdf"]
    if kdf.get("type") != "HKDF" or kdf.get("hash", "SHA256") != "SHA256":
        raise SchemaError("only HKDF with SHA256 is supported")
    if config.get("xorFolds", 0):
        raise SchemaError("xorFolds are not supported")
    length = int(config["l"])
    if length <= 0 or length & (length - 1) or length % 8:
        raise SchemaError("the filter length must be a power of two (blakeHash)")
    features = tuple(_feature(entry) for entry in raw["features"])
    return LinkageSchema(
        length=length,
        salt=base64.b64decode(kdf.get("salt", "")),
        info=base64.b64decode(kdf.get("info", "")),
        key_size=int(kdf.get("keySize", 64)),
        features=features,
        text=text,
    )


def _feature(entry: dict[str, Any]) -> Feature:
    identifier = str(entry["identifier"])
    if entry.get("ignored"):
        return Feature(identifier, ignored=True)
    hashing = entry["hashing"]
    comparison = hashing["comparison"]
    kind = comparison["type"]
    if kind not in _KINDS or comparison.get("positional"):
        raise SchemaError(f"{identifier}: comparison {kind!r} is not supported")
    if hashing.get("hash", {}).get("type", "blakeHash") != "blakeHash":
        raise SchemaError(f"{identifier}: only blakeHash is supported")
    if "missingValue" in hashing:
        raise SchemaError(f"{identifier}: missingValue is not supported")
    (strategy, bits), *more = hashing["strategy"].items()
    if more or strategy not in ("bitsPerToken", "bitsPerFeature"):
        raise SchemaError(f"{identifier}: strategy {strategy!r} is not supported")
    values = tuple(entry["format"].get("values", ()))
    return Feature(
        identifier, False, kind, int(comparison.get("n", 2)), strategy, int(bits), values
    )


@cache
def product_schema() -> LinkageSchema:
    """The linkage schema the product publishes and encodes with."""
    path = resources.files("titiktemu") / "data" / "linkage-schema.json"
    return parse_schema(path.read_text(encoding="utf-8"))


def hkdf_sha256(secret: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    """RFC 5869 HKDF with SHA-256 (what clkhash derives its feature keys with)."""
    prk = hmac.new(salt or b"\0" * 32, secret, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def feature_keys(schema: LinkageSchema, secret: bytes) -> tuple[bytes, ...]:
    """Each feature's BLAKE2b key: clkhash derives two keys per feature, blakeHash uses the first."""
    size = schema.key_size
    material = hkdf_sha256(secret, schema.salt, schema.info, 2 * size * len(schema.features))
    return tuple(material[2 * size * i : 2 * size * i + size] for i in range(len(schema.features)))


@lru_cache(maxsize=_TOKEN_CACHE)
def _token_mask(token: str, k: int, key: bytes, length: int) -> int:
    """The bits one token sets, as an int whose highest bit is the filter's bit 0."""
    shorts: list[int] = []
    for i in range((k + 31) // 32):
        digest = hashlib.blake2b(token.encode("utf-8"), key=key, salt=str(i).encode()).digest()
        shorts.extend(struct.unpack("32H", digest))
    mask = 0
    for index in shorts[:k]:
        mask |= 1 << (length - 1 - index % length)
    return mask


class Encoder:
    """Encodes prepared records under one secret (``encode`` is called once per row)."""

    def __init__(self, schema: LinkageSchema, secret: bytes) -> None:
        self.schema = schema
        self._keys = feature_keys(schema, secret)

    def encode(self, values: Sequence[str]) -> bytes:
        """The filter of one record: ``values`` in the schema's feature order, ``ref`` first."""
        schema = self.schema
        if len(values) != len(schema.features):
            raise ValueError(f"a record has {len(schema.features)} features, not {len(values)}")
        mask = 0
        for feature, key, value in zip(schema.features, self._keys, values, strict=True):
            if feature.ignored:
                continue
            if feature.values and value not in feature.values:
                raise ValueError(f"{feature.identifier}: not one of {feature.values}")
            tokens = feature.tokens(value)
            if not tokens:
                continue
            for token, k in zip(tokens, feature.bits_per_token(len(tokens)), strict=True):
                mask |= _token_mask(token, k, key, schema.length)
        return mask.to_bytes(schema.length // 8, "big")


def serialise(clk: bytes) -> str:
    """As clkhash serialises a filter: base64 of its bytes."""
    return base64.b64encode(clk).decode("ascii")


def deserialise(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def dice(a: bytes, b: bytes) -> float:
    """Dice coefficient of two filters (for tests and single pairs; bulk goes through anonlink)."""
    x, y = int.from_bytes(a, "big"), int.from_bytes(b, "big")
    total = x.bit_count() + y.bit_count()
    return 0.0 if total == 0 else 2 * (x & y).bit_count() / total
