"""Choose the right text encoding of a document when its declaration lies, and say what was chosen.

Feeds and pages often declare one charset and are written in another (UTF-8 bytes labelled
ISO-8859-1, windows-1251 labelled UTF-8). A single-byte codec decodes any bytes without error, so a
wrong label silently gives mojibake; these rules catch the two common lies and record the repair.
A third case is the mixed document: UTF-8 with a few bytes of another encoding pasted in (a Windows
"smart quote"), or a few broken bytes. When more characters decode as UTF-8 than fail, it is read as
UTF-8 and each invalid byte as Windows-1252 (U+FFFD where that has no character), rather than letting a
detector pick a single-byte encoding that turns every UTF-8 character into mojibake.
"""

from __future__ import annotations

import codecs
import dataclasses
import re

import charset_normalizer

XML_DECLARATION_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._:-]+)(["'])""")
# The same in decoded text (BOM included), for removing it: group 1 is everything before the pseudo-attribute.
TEXT_XML_DECLARATION_ENCODING = re.compile(r"""^(\ufeff?\s*<\?xml[^>]*?)\s+encoding\s*=\s*["'][^"']*["']""")
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
CONTENT_TYPE_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
# UTF-32 first: its little-endian BOM starts with UTF-16's.
UNICODE_BOMS = ((b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\xef\xbb\xbf", "utf-8-sig"),
                (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
WINDOWS_1252_FALLBACK = "newsbeam-windows-1252-fallback"  # decode error handler: invalid UTF-8 bytes as cp1252
# "<?xm" in EBCDIC: how the XML spec's autodetection (appendix F) knows an EBCDIC document. The letters and
# punctuation of a declaration are the same in every EBCDIC code page, so cp037 reads which one it names.
EBCDIC_XML_START = b"\x4c\x6f\xa7\x94"
EBCDIC_DEFAULT = "cp037"
EBCDIC_DECLARATION_BYTES = 200  # '<?xml version="1.0" encoding="..."?>' fits well within this


def _windows_1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 refused as Windows-1252 (U+FFFD for its five undefined bytes)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start:error.end].decode("windows-1252", "replace"), error.end


codecs.register_error(WINDOWS_1252_FALLBACK, _windows_1252_fallback)


@dataclasses.dataclass(frozen=True)
class EncodingChoice:
    """The encoding to decode with, what was declared, and a flag when they differ."""

    encoding: str
    declared: str | None
    flag: str | None  # e.g. "encoding_repaired:iso-8859-1->utf-8"
    errors: str = "replace"  # how to decode bytes the encoding refuses (WINDOWS_1252_FALLBACK: mixed UTF-8)


def _codec_name(label: str | None) -> str | None:
    if not label:
        return None
    try:
        return codecs.lookup(label.decode("ascii", "ignore") if isinstance(label, bytes) else label).name
    except LookupError:
        return None


def declared_encoding(body: bytes, content_type: str | None = None) -> str | None:
    """The charset the document says it has: HTTP header, then XML declaration, then HTML meta."""
    if content_type:
        match = CONTENT_TYPE_CHARSET.search(content_type)
        if match:
            return _codec_name(match.group(1))
    head = body[:2048]
    match = XML_DECLARATION_ENCODING.search(head) or META_CHARSET.search(head)
    return _codec_name(match.group(match.lastindex - 1 if match.re is XML_DECLARATION_ENCODING else 1)) if match else None


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _is_single_byte(encoding: str) -> bool:
    return encoding not in ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be") \
        and "jis" not in encoding and "gb" not in encoding and "big5" not in encoding and "euc" not in encoding


def _utf16_without_bom(body: bytes) -> str | None:
    """UTF-16 (or UTF-32) recognised by the NULs of its first (ASCII) characters, as XML autodetection does.

    ASCII text in UTF-16 is also valid UTF-8 (NUL is a legal byte), so without this check it would be
    decoded as UTF-8 with a NUL between every character.
    """
    head = body[:4]
    if len(head) < 4:
        return None
    if head[:3] == b"\x00\x00\x00" and head[3]:
        return "utf-32-be"
    if head[1:] == b"\x00\x00\x00" and head[0]:
        return "utf-32-le"
    if head[0] == 0 and head[2] == 0 and head[1] and head[3]:
        return "utf-16-be"
    if head[1] == 0 and head[3] == 0 and head[0] and head[2]:
        return "utf-16-le"
    return None


def _ebcdic_encoding(body: bytes) -> str | None:
    """The EBCDIC code page of an XML document that starts ``<?xm`` in EBCDIC: the one its declaration
    names when that is an EBCDIC code page Python knows, else cp037; None for any other document."""
    if not body.startswith(EBCDIC_XML_START):
        return None
    head = body[:EBCDIC_DECLARATION_BYTES].decode(EBCDIC_DEFAULT).encode("ascii", "replace")
    match = XML_DECLARATION_ENCODING.search(head)
    named = _codec_name(match.group(2)) if match else None
    # a name that is no EBCDIC code page ("utf-8") cannot be right: its "<?xm" would be other bytes
    if named and _decodes(EBCDIC_XML_START, named) and EBCDIC_XML_START.decode(named) == "<?xm":
        return named
    return EBCDIC_DEFAULT


def _utf8_validity(body: bytes) -> str | None:
    """"valid" UTF-8; "mostly" when more non-ASCII characters decode than invalid sequences fail; else None."""
    if _decodes(body, "utf-8"):
        return "valid"
    text = body.decode("utf-8", "replace")
    invalid = text.count("\ufffd") - body.count("\ufffd".encode())
    decoded = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")  # non-ASCII, C speed
    return "mostly" if decoded > invalid else None


def _utf8_choice(declared: str | None, validity: str) -> EncodingChoice:
    if validity == "mostly":
        return EncodingChoice("utf-8", declared, f"encoding_repaired:{declared or 'undeclared'}->utf-8+windows-1252",
                              WINDOWS_1252_FALLBACK)
    return EncodingChoice("utf-8", declared, f"encoding_repaired:{declared}->utf-8" if declared else None)


def _detected_encoding(body: bytes) -> str | None:
    """The detector's choice for undeclared, non-UTF-8 bytes; Windows-1252 when it fits as well as that.

    On Western text several single-byte codepages decode without a sign of trouble (the detector's "chaos")
    and it ranks them by a language guess that short text cannot support: it chose cp1250 ("Espańa"),
    cp775 or cp1258. Windows-1252 is what browsers read such a page as, and what legacy Western pages are.
    """
    results = charset_normalizer.from_bytes(body[:200_000])
    best = results.best()
    if best is None:
        return None
    if any(_codec_name(match.encoding) == "cp1252" and match.chaos <= best.chaos for match in results):
        return "cp1252"
    return _codec_name(best.encoding)


def choose_encoding(body: bytes, content_type: str | None = None) -> EncodingChoice:
    """Pick the encoding of ``body``: BOM, UTF-16/32 or EBCDIC by its first bytes, else the declaration unless
    it is provably wrong."""
    for bom, encoding in UNICODE_BOMS:
        if body.startswith(bom):
            return EncodingChoice(encoding, None, None)
    utf16 = _utf16_without_bom(body)
    if utf16:
        return EncodingChoice(utf16, None, None)
    ebcdic = _ebcdic_encoding(body)
    if ebcdic:
        return EncodingChoice(ebcdic, ebcdic, None)
    declared = declared_encoding(body, content_type)
    utf8 = _utf8_validity(body)
    # A UTF-16/32 label on bytes with neither BOM nor NUL pattern (both looked for above) is a lie: ASCII
    # markup in UTF-16 has a NUL in every other byte. Trusted, it turned a UTF-8 feed into CJK noise.
    if declared and not declared.startswith(("utf-16", "utf-32")) and _decodes(body, declared):
        # Valid (or mostly valid) multi-byte UTF-8 under a single-byte label is, in practice, always UTF-8.
        if utf8 and _is_single_byte(declared) and not body.isascii():
            return _utf8_choice(declared, utf8)
        return EncodingChoice(declared, declared, None)
    if utf8:
        return _utf8_choice(declared, utf8)
    detected = _detected_encoding(body)
    encoding = detected or "windows-1252"
    return EncodingChoice(encoding, declared, f"encoding_repaired:{declared or 'undeclared'}->{encoding}")


def decode_document(body: bytes, content_type: str | None = None) -> tuple[str, EncodingChoice]:
    """Decode ``body`` with the chosen encoding; undecodable bytes become U+FFFD, never an exception.

    A leading XML declaration loses its ``encoding``: it no longer applies to the text, and lxml refuses
    a string that carries one (an XHTML page starting ``<?xml ... encoding="utf-8"?>`` was an error).
    """
    choice = choose_encoding(body, content_type)
    return TEXT_XML_DECLARATION_ENCODING.sub(r"\1", _decoded(body, choice), count=1), choice


def _decoded(body: bytes, choice: EncodingChoice) -> str:
    """``body`` decoded as ``choice`` says; an EBCDIC document's line ends made LF."""
    text = body.decode(choice.encoding, choice.errors)
    # EBCDIC's own line end, NL (0x15), decodes to U+0085: a line end to XML 1.1 only. XML 1.0 parsers
    # refuse it between tags, so a mainframe's feed broke after its declaration.
    return text.replace("\x85", "\n") if body.startswith(EBCDIC_XML_START) else text


def as_utf8_xml(body: bytes, choice: EncodingChoice) -> bytes:
    """Re-encode an XML document to UTF-8 and make its declaration say so, for parsers that trust it."""
    text = _decoded(body, choice).lstrip("\ufeff")
    encoded = text.encode("utf-8", "replace")
    return XML_DECLARATION_ENCODING.sub(rb"\1utf-8\3", encoded, count=1)
