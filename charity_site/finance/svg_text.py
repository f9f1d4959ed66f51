"""Text in the server-drawn SVGs (charts.py, flow_diagram.py): how wide a label is, and how it is cut to fit.

An SVG <text> does not wrap, and the server does not know the reader's font, so widths are estimated on
the safe side: wide and ambiguous characters (CJK, and the curly quotes — … a Chinese font draws full
width) 1 em, others 0.6 em.
"""

from __future__ import annotations

import unicodedata

CLOSING = "）)」』”’】》，。、：；！？"  # marks that never start a line


def text_width(text: str, font: float) -> float:
    """Rough rendered width of ``text`` at ``font`` units."""
    return sum(font if unicodedata.east_asian_width(char) in "WFA" else font * 0.6 for char in text)


def fit_label(text: str, width: float, font: float) -> str:
    """``text`` shortened with … so that it fits ``width``."""
    if text_width(text, font) <= width:
        return text
    while text and text_width(text + "…", font) > width:
        text = text[:-1]
    return text + "…"


def was_shortened(lines: tuple[str, ...], text: str) -> bool:
    """Whether wrap_label() cut ``text`` short with … (the page then keeps the whole text in a <title>)."""
    return bool(lines) and lines[-1].endswith("…") and not text.strip().endswith("…")


def _in_word(char: str) -> bool:
    return char.isascii() and char.isalnum()


def wrap_label(text: str, width: float, font: float, lines: int) -> tuple[str, ...]:
    """``text`` broken into at most ``lines`` lines that fit ``width``; only the last one is shortened with ….

    Chinese breaks between any two characters; a Latin word or a number stays whole when it can, and a
    closing bracket or punctuation mark never starts a line.
    """
    out: list[str] = []
    rest = text.strip()
    while rest and len(out) < lines - 1 and text_width(rest, font) > width:
        cut = len(rest)
        while cut > 1 and text_width(rest[:cut], font) > width:
            cut -= 1
        if _in_word(rest[cut - 1]) and _in_word(rest[cut]):
            start = cut - 1
            while start > 0 and _in_word(rest[start - 1]):
                start -= 1
            if start > 0:
                cut = start
        if cut > 1 and rest[cut] in CLOSING:
            cut -= 1
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        out.append(fit_label(rest, width, font))
    return tuple(out)
