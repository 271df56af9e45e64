"""Student-written text made into HTML that cannot run anything: Markdown with math.

Math (``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``) becomes MathML, which browsers
typeset themselves: no script, no network. Raw HTML in the text is escaped, and the whole
result goes through a sanitizer with an allow-list of tags and attributes (HTML and MathML),
so no script, event handler or ``javascript:`` address survives, whatever the student wrote.
Each piece of text is cut to a bounded length first.
"""

from __future__ import annotations

import functools
import html
import re

import latex2mathml.converter
import mistune
import nh3

MAX_TEXT = 20_000
MAX_MATH = 2_000
CACHED = 256  # texts whose HTML a process keeps (each cut to MAX_TEXT characters)
_MATH = re.compile(
    r"\$\$(?P<display>.+?)\$\$|\\\[(?P<display2>.+?)\\\]|\\\((?P<inline2>.+?)\\\)"
    r"|(?<![\\$])\$(?P<inline>[^$\n]+?)\$",
    re.DOTALL,
)
_PLACEHOLDER = "GRADELABMATH{}X"

MATHML_TAGS = {
    "math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt", "mroot",
    "mstyle", "merror", "mpadded", "mphantom", "msub", "msup", "msubsup", "munder", "mover",
    "munderover", "mtable", "mtr", "mtd", "semantics", "annotation",
}  # fmt: skip
HTML_TAGS = {
    "a", "abbr", "article", "b", "blockquote", "br", "code", "del", "details", "div", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "li", "main", "ol", "p",
    "pre", "section", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "math": {"display"},
    "mo": {"stretchy", "fence", "separator", "lspace", "rspace", "largeop", "movablelimits"},
    "mstyle": {"displaystyle", "scriptlevel"},
    "mspace": {"width"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
_markdown = mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])


def sanitized(markup: str) -> str:
    """HTML with only allowed tags and attributes, links only to http(s), mail and anchors,
    images only as data."""
    return nh3.clean(
        markup,
        tags=HTML_TAGS | MATHML_TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=_only_data_images,
        url_schemes={"http", "https", "mailto", "data"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def _only_data_images(tag: str, attribute: str, value: str) -> str | None:
    """Images come only as data (a page that loads nothing); links only to the web."""
    if attribute == "src":
        kinds = ("data:image/png;base64,", "data:image/jpeg;base64,", "data:image/gif;base64,")
        return value if tag == "img" and value.startswith(kinds) else None
    if attribute == "href" and value.startswith("data:"):
        return None
    return value


def math_to_mathml(latex: str, display: bool) -> str:
    """MathML for ``latex``; the escaped source itself when it cannot be read."""
    source = latex.strip()
    if len(source) <= MAX_MATH:
        try:
            return latex2mathml.converter.convert(source, display="block" if display else "inline")
        except Exception:  # noqa: BLE001 - any LaTeX the converter cannot read stays as text
            pass
    delimiter = "$$" if display else "$"
    return f"<code>{html.escape(delimiter + source[:MAX_MATH] + delimiter)}</code>"


def markdown_html(text: str) -> str:
    """Sanitized HTML of Markdown ``text`` with its math as MathML."""
    text = str(text)
    return _markdown_html(text[:MAX_TEXT], len(text) > MAX_TEXT)


@functools.lru_cache(maxsize=CACHED)
def _markdown_html(text: str, cut: bool) -> str:
    """``markdown_html`` of ``text``, already cut (``cut``: it was); kept for the same text
    again, as an assignment's own cells come in every submission's page."""
    formulas: list[str] = []

    def hold(match: re.Match) -> str:
        display = match.group("display") or match.group("display2")
        latex = display or match.group("inline2") or match.group("inline")
        formulas.append(math_to_mathml(latex, display is not None))
        return _PLACEHOLDER.format(len(formulas) - 1)

    body = _markdown(_MATH.sub(hold, text))
    for number, formula in enumerate(formulas):
        body = body.replace(_PLACEHOLDER.format(number), formula)
    if cut:
        body += f"<p><em>(cut after {MAX_TEXT:,} characters)</em></p>"
    return sanitized(body)


def escaped(text: object, limit: int = MAX_TEXT) -> str:
    """Plain text as HTML, cut to ``limit`` characters."""
    text = str(text)
    shown = html.escape(text[:limit])
    return shown + (f"\n… (cut after {limit:,} characters)" if len(text) > limit else "")
