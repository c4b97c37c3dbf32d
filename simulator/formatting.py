"""Telegram's text rules: UTF-16 offsets, parse modes, trimming and auto-detected entities.

Entity offsets and lengths count UTF-16 code units, as in the real API. The parsers follow
the formatting-options section of the Bot API and raise with the real "can't parse entities"
wording; they cover the common tags and markers, not every corner case of TDLib's parsers.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

Entity = dict[str, Any]


class EntityParseError(ValueError):
    """Raised when parse_mode markup is malformed; the message follows Telegram's wording."""


class UnsupportedParseModeError(ValueError):
    """Raised for a parse_mode other than HTML, MarkdownV2 or Markdown."""


@dataclass
class FormattedText:
    """Plain text plus its entities, which is what Telegram stores after parsing."""

    text: str
    entities: list[Entity] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Count UTF-16 code units, the unit of Telegram entity offsets and text limits."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    """Report a position as Telegram does in parse errors: a UTF-8 byte offset."""
    return len(source[:index].encode("utf-8"))


def _sort_entities(entities: list[Entity]) -> list[Entity]:
    """Order entities by offset, longer first, as Telegram returns them."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


class _Builder:
    """Accumulate output text and entities while tracking the UTF-16 position."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[Entity] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.pos += utf16_len(text)

    def close(self, kind: str, start: int, **extra: Any) -> None:
        if self.pos > start:
            entity: Entity = {"type": kind, "offset": start, "length": self.pos - start}
            entity.update({k: v for k, v in extra.items() if v})
            self.entities.append(entity)

    def result(self) -> FormattedText:
        return FormattedText("".join(self.parts), _sort_entities(self.entities))


# --- HTML -------------------------------------------------------------------------------------

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)?([^>]*)>", re.S)
_ATTR_RE = re.compile(r"""([a-zA-Z_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_CHAR_REF_RE = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|lt|gt|amp|quot);")


def parse_html(source: str) -> FormattedText:
    """Parse parse_mode=HTML into plain text and entities."""
    out = _Builder()
    stack: list[tuple[str, int, dict[str, str]]] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "&":
            ref = _CHAR_REF_RE.match(source, i)
            out.add(html.unescape(ref.group(0)) if ref else "&")
            i = ref.end() if ref else i + 1
            continue
        if char != "<":
            j = min((k for k in (source.find("<", i), source.find("&", i)) if k != -1), default=-1)
            j = len(source) if j == -1 else j
            out.add(source[i:j])
            i = j
            continue
        offset = _byte_offset(source, i)
        tag = _TAG_RE.match(source, i)
        if tag is None:
            raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
        closing, name, rest = tag.group(1), (tag.group(2) or "").lower(), tag.group(3)
        if closing:
            _close_html_tag(out, stack, name, offset)
        else:
            stack.append((name, out.pos, _open_html_tag(name, rest, offset)))
        i = tag.end()
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _open_html_tag(name: str, rest: str, offset: int) -> dict[str, str]:
    """Validate a start tag and return its attributes."""
    if name not in _HTML_TAGS:
        raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
    attrs = {
        m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
        for m in _ATTR_RE.finditer(rest)
    }
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    return attrs


def _close_html_tag(
    out: _Builder, stack: list[tuple[str, int, dict[str, str]]], name: str, offset: int
) -> None:
    """Match an end tag to its start tag and emit the entity."""
    if not stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {offset}")
    open_name, start, attrs = stack.pop()
    if name != open_name:
        raise EntityParseError(
            f'Unmatched end tag at byte offset {offset}, expected "</{open_name}>", '
            f'found "</{name}>"'
        )
    kind = _HTML_TAGS[name]
    language = attrs.get("class", "").removeprefix("language-") if name == "code" else ""
    if name == "code" and language and stack and stack[-1][0] == "pre":
        stack[-1][2]["language"] = language
        return
    if name == "a":
        out.close(kind, start, url=attrs.get("href", ""))
    elif name == "pre":
        out.close(kind, start, language=attrs.get("language", ""))
    elif name == "blockquote":
        out.close("expandable_blockquote" if "expandable" in attrs else kind, start)
    elif name == "tg-emoji":
        out.close(kind, start, custom_emoji_id=attrs.get("emoji-id", ""))
    else:
        out.close(kind, start)


# --- MarkdownV2 -------------------------------------------------------------------------------

_MD2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MD2_MARKERS = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough"}
_MD2_MARKERS["||"] = "spoiler"
_ENTITY_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
}


def _reserved(char: str) -> EntityParseError:
    return EntityParseError(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


def _unclosed(kind: str, offset: int) -> EntityParseError:
    return EntityParseError(
        f"Can't find end of {_ENTITY_NAMES[kind]} entity at byte offset {offset}"
    )


def parse_markdown_v2(source: str) -> FormattedText:
    """Parse parse_mode=MarkdownV2, insisting on escaped reserved characters like Telegram."""
    out = _Builder()
    stack: list[tuple[str, int, int]] = []  # kind, start position, byte offset of the marker
    quote_start: int | None = None
    line_end = 0
    i = 0
    while i < len(source):
        char = source[i]
        at_line_start = i == 0 or source[i - 1] == "\n"
        if at_line_start and quote_start is not None and char != ">":
            out.close("blockquote", quote_start)
            quote_start = None
            out.entities[-1:] = [_clip(e, line_end) for e in out.entities[-1:]]
        if at_line_start and char == ">":
            quote_start = out.pos if quote_start is None else quote_start
            i += 1
            continue
        if char == "\\":
            if i + 1 < len(source) and 0 < ord(source[i + 1]) < 127:
                out.add(source[i + 1])
                i += 2
                continue
            raise _reserved(char)
        if char == "`":
            i = _md2_code(source, i, out)
            continue
        if char == "[":
            stack.append(("text_link", out.pos, _byte_offset(source, i)))
            i += 1
            continue
        if char == "]" and stack and stack[-1][0] == "text_link":
            i = _md2_link_target(source, i, out, stack.pop())
            continue
        marker = source[i : i + 2] if source[i : i + 2] in ("__", "||") else char
        if marker in _MD2_MARKERS:
            _toggle(out, stack, _MD2_MARKERS[marker], _byte_offset(source, i))
            i += len(marker)
            continue
        if char in _MD2_RESERVED:
            raise _reserved(char)
        if char == "\n":
            line_end = out.pos
        out.add(char)
        i += 1
    if stack:
        kind, _, offset = stack[-1]
        raise _unclosed(kind, offset)
    if quote_start is not None:
        out.close("blockquote", quote_start)
    return out.result()


def _clip(entity: Entity, end: int) -> Entity:
    """Keep a blockquote from swallowing the newline that ended it."""
    if entity["type"] == "blockquote" and entity["offset"] + entity["length"] > end:
        return {**entity, "length": max(end - entity["offset"], 0)}
    return entity


def _toggle(out: _Builder, stack: list[tuple[str, int, int]], kind: str, offset: int) -> None:
    """Open an entity, or close it when it is the innermost open one."""
    if stack and stack[-1][0] == kind:
        _, start, _ = stack.pop()
        out.close(kind, start)
    elif any(open_kind == kind for open_kind, _, _ in stack):
        open_kind, _, open_offset = stack[-1]
        raise _unclosed(open_kind, open_offset)
    else:
        stack.append((kind, out.pos, offset))


def _md2_code(source: str, i: int, out: _Builder) -> int:
    """Consume `code` or ```pre``` starting at i; inside, only ` and \\ are escaped."""
    fence = "```" if source.startswith("```", i) else "`"
    kind = "pre" if fence == "```" else "code"
    j = i + len(fence)
    language = ""
    if kind == "pre":
        newline = source.find("\n", j)
        first_line = source[j:newline] if newline != -1 else ""
        if newline != -1 and first_line and " " not in first_line and "`" not in first_line:
            language, j = first_line, newline + 1
    content: list[str] = []
    while j < len(source):
        if source[j] == "\\" and j + 1 < len(source) and source[j + 1] in "`\\":
            content.append(source[j + 1])
            j += 2
        elif source.startswith(fence, j):
            start = out.pos
            out.add("".join(content))
            out.close(kind, start, language=language)
            return j + len(fence)
        else:
            content.append(source[j])
            j += 1
    raise _unclosed(kind, _byte_offset(source, i))


def _md2_link_target(source: str, i: int, out: _Builder, opened: tuple[str, int, int]) -> int:
    """Consume ](url) after link text and emit the text_link entity."""
    _, start, offset = opened
    if not source.startswith("(", i + 1):
        raise _reserved("]")
    j = i + 2
    url: list[str] = []
    while j < len(source) and source[j] != ")":
        if source[j] == "\\" and j + 1 < len(source):
            j += 1
        url.append(source[j])
        j += 1
    if j >= len(source):
        raise EntityParseError(f"Can't find end of a URL at byte offset {offset}")
    out.close("text_link", start, url="".join(url))
    return j + 1


# --- Markdown (legacy) ------------------------------------------------------------------------

_LEGACY_MARKERS = {"*": "bold", "_": "italic"}


def parse_markdown(source: str) -> FormattedText:
    """Parse the legacy parse_mode=Markdown: *bold*, _italic_, `code`, ```pre```, [t](url)."""
    out = _Builder()
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source) and source[i + 1] in "_*`[":
            out.add(source[i + 1])
            i += 2
            continue
        if char not in "_*`[":
            out.add(char)
            i += 1
            continue
        offset = _byte_offset(source, i)
        error = EntityParseError(f"Can't find end of the entity starting at byte offset {offset}")
        if char == "[":
            close = source.find("](", i)
            end = source.find(")", close + 2) if close != -1 else -1
            if end == -1:
                raise error
            start = out.pos
            out.add(source[i + 1 : close])
            out.close("text_link", start, url=source[close + 2 : end])
            i = end + 1
            continue
        fence = "```" if source.startswith("```", i) else char
        end = source.find(fence, i + len(fence))
        if end == -1:
            raise error
        start = out.pos
        out.add(source[i + len(fence) : end])
        kind = {"```": "pre", "`": "code"}.get(fence) or _LEGACY_MARKERS[char]
        out.close(kind, start)
        i = end + len(fence)
    return out.result()


# --- detection, trimming, the public entry point ----------------------------------------------

_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
_DETECTORS = (
    ("bot_command", _COMMAND_RE),
    ("mention", re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{4,32}(?!\w)")),
    ("hashtag", re.compile(r"(?<![\w#])#(?!\d+(?!\w))\w+")),
    ("url", re.compile(r"\bhttps?://[^\s<>\"']*[^\s<>\"'.,;:!?)\]]")),
)
# Telegram finds no commands, links or tags inside these.
_OPAQUE = frozenset(
    {"code", "pre", "text_link", "url", "email", "mention", "text_mention", "bot_command",
     "hashtag", "cashtag", "custom_emoji"}
)  # fmt: skip
_WHITESPACE = " \t\r\n\v\f"


def detect_entities(text: str, entities: list[Entity] | None = None) -> list[Entity]:
    """Add the entities Telegram detects itself (commands, mentions, hashtags, http links)."""
    found = list(entities or [])
    taken = [(e["offset"], e["offset"] + e["length"]) for e in found if e["type"] in _OPAQUE]
    for kind, pattern in _DETECTORS:
        for match in pattern.finditer(text):
            start = utf16_len(text[: match.start()])
            end = start + utf16_len(match.group(0))
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            found.append({"type": kind, "offset": start, "length": end - start})
            taken.append((start, end))
    return _sort_entities(found)


def trim(formatted: FormattedText) -> FormattedText:
    """Strip surrounding whitespace like Telegram, keeping entities on the same characters."""
    stripped = formatted.text.strip(_WHITESPACE)
    if stripped == formatted.text:
        return formatted
    left = utf16_len(
        formatted.text[: len(formatted.text) - len(formatted.text.lstrip(_WHITESPACE))]
    )
    size = utf16_len(stripped)
    entities = []
    for entity in formatted.entities:
        start = max(entity["offset"] - left, 0)
        end = min(entity["offset"] + entity["length"] - left, size)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(stripped, entities)


def clip_entities(text: str, entities: list[Any]) -> list[Entity]:
    """Keep well-formed explicit entities and cut them to the text, as Telegram does."""
    size = utf16_len(text)
    kept: list[Entity] = []
    for entity in entities:
        if not isinstance(entity, dict) or not isinstance(entity.get("type"), str):
            raise EntityParseError("Can't parse MessageEntity: expected an Object with a type")
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            raise EntityParseError('Can\'t parse MessageEntity: Field "offset" must be a Number')
        end = min(offset + length, size)
        if offset >= 0 and end > offset:
            kept.append({**entity, "length": end - offset})
    return _sort_entities(kept)


PARSERS = {"html": parse_html, "markdownv2": parse_markdown_v2, "markdown": parse_markdown}


def format_text(
    text: str, parse_mode: str | None = None, entities: list[Any] | None = None
) -> FormattedText:
    """Turn what a bot sent into what Telegram stores: parsed, trimmed, entities detected."""
    if entities:
        formatted = FormattedText(text, clip_entities(text, entities))
    elif parse_mode:
        parser = PARSERS.get(parse_mode.lower())
        if parser is None:
            raise UnsupportedParseModeError(parse_mode)
        formatted = parser(text)
    else:
        formatted = FormattedText(text)
    formatted = trim(formatted)
    return FormattedText(formatted.text, detect_entities(formatted.text, formatted.entities))
