"""A person's name as two clerks would agree it is the same, before it is encoded.

Javanese names have no family name and many spellings: *Moh.*, *Muh.*, *M.* and *Muhammad* are one
name; the old spelling (*Soemarni*, *Djoko*, *Tjipto*) and the new (*Sumarni*, *Joko*, *Cipto*)
are one name; clerks add titles (*Bpk.*, *Ibu*, *Hj.*, *S.Pd.*). What remains differs only where
the names really differ, and the bigram encoding takes care of small typos and longer forms
(*Wahyuni* / *Wahyuningsih*). Both routes (server and ``beneficiaries encode``) call this one
function, so they encode the same name the same way.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

#: Words that are titles or forms of address, not names.
_TITLES: Final = frozenset(
    [
        "bpk",
        "bp",
        "bapak",
        "pak",
        "ibu",
        "bu",
        "ib",
        "sdr",
        "sdri",
        "saudara",
        "saudari",
        "ny",
        "nyonya",
        "nn",
        "nona",
        "tn",
        "tuan",
        "mbah",
        "mbok",
        "h",
        "hj",
        "haji",
        "hajah",
        "kh",
        "dr",
        "drs",
        "dra",
        "ir",
        "prof",
        "st",
        "spd",
        "spdi",
        "sag",
        "se",
        "sh",
        "sk",
        "skm",
        "skep",
        "amd",
        "amk",
        "mpd",
        "mm",
        "msi",
        "alm",
        "almh",
    ]
)
#: Forms of Muhammad (as a word of its own; "M" only as the first word, where it abbreviates it).
_MUHAMMAD: Final = frozenset(
    [
        "moh",
        "mohd",
        "muh",
        "muhd",
        "mhd",
        "moch",
        "mochammad",
        "mochamad",
        "mohammad",
        "mohamad",
        "mohamed",
        "muhamad",
        "muhammad",
        "muchammad",
        "muchamad",
    ]
)
#: The 1972 spelling reform, old -> new (only the unambiguous pairs: "j" -> "y" is not, since
#: new-spelling names have a "j" too).
_OLD_SPELLING: Final = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("sj", "sy"), ("nj", "ny"))
_NOT_LETTER: Final = re.compile(r"[^a-z]+")
#: Titles written with dots run together ("S.Pd.", "A.Md.") are dropped before splitting.
_DOTTED_TITLE: Final = re.compile(r"\b(s|a|m)\.\s?(pd|pd\.i|ag|e|h|kep|km|md|si|t|sos)\b\.?")


def prepare_name(raw: str) -> str:
    """Lower-case letters and single spaces, titles dropped, Muhammad and new spelling unified."""
    text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii").casefold()
    text = _DOTTED_TITLE.sub(" ", text)
    words = [w for w in _NOT_LETTER.split(text) if w]
    # Titles go, unless nothing else is left ("Ibu Hj." names someone all the same).
    titled = len(words) > 1 and any(w not in _TITLES for w in words)
    kept: list[str] = []
    for position, word in enumerate(words):
        if word in _TITLES and titled:
            continue
        if word in _MUHAMMAD or (word == "m" and position == 0 and len(words) > 1):
            word = "muhammad"
        for old, new in _OLD_SPELLING:
            word = word.replace(old, new)
        kept.append(word)
    return " ".join(kept)
