"""Free text as it may be stored and exported: one rule for every database (pure).

What a person types reaches the bot as any Unicode the client sends: NUL (which PostgreSQL
refuses in text, so the note was lost with a generic error, while SQLite kept it), escape
sequences and other control characters (which then sat in the CSV cells), lone surrogates
(which no database can encode) and decomposed accents ("e" + combining acute, which
compares unequal to "é"). Every service that stores free text passes it through
`clean_text` first: the check-in note (`symptoms.clean_note`) and the names of linked
people (`care_links.clean_name`).
"""

from __future__ import annotations

import unicodedata

# Kept in text that may span lines (a note); in one line of text (a name) they are spaces.
LAYOUT = frozenset({"\n", "\t"})
# Unicode categories removed: control characters (C0, DEL, C1: NUL, escape, bell...) and
# surrogates (half of a character, unencodable in UTF-8 on its own).
_REMOVED = frozenset({"Cc", "Cs"})


def clean_text(text: str, *, multiline: bool = True) -> str:
    """Return text fit to store: line ends as "\\n", no control character but newline and tab
    (spaces instead, unless `multiline`), no lone surrogate, in Unicode NFC."""
    if text.isprintable() and unicodedata.is_normalized("NFC", text):
        return text  # most text: nothing to do (printable excludes controls and surrogates)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    kept = "".join(ch for ch in text if ch in LAYOUT or unicodedata.category(ch) not in _REMOVED)
    return unicodedata.normalize("NFC", kept)
