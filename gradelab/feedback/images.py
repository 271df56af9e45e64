"""Images of an assignment in its feedback pages, embedded as data.

A feedback page loads nothing (its Content-Security-Policy allows images only as ``data:``),
so a Markdown image that names a file of the assignment (``![a plot](plot.png)``) or a
cell attachment (``attachment:plot.png``) is put into the page as a ``data:`` address. Only
PNG, JPEG and GIF files (checked by their first bytes, never SVG, which can hold script),
inside the assignment's released folder (what every student has anyway), within size
bounds; any other reference is left as it is, and the sanitizer drops its address.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path

from nbformat import NotebookNode

MAX_IMAGE_BYTES = 2 * 2**20
MAX_PAGE_IMAGES_BYTES = 8 * 2**20
SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
PLACEHOLDER = "data:image/png;base64,GRADELABIMAGE{}X"
_PLACEHOLDER = re.compile(r"data:image/png;base64,GRADELABIMAGE(\d{1,6})X")
_IMAGE = re.compile(r"(!\[[^\]\n]{0,500}\]\()([^)\s]{1,500})((?:\s+\"[^\"\n]{0,500}\")?\))")


def image_type(data: bytes) -> str | None:
    return next((kind for sig, kind in SIGNATURES.items() if data.startswith(sig)), None)


class ImageSource:
    """The images one feedback page may embed: the released folder's and its cells'."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder.resolve() if folder is not None else None
        self.left = MAX_PAGE_IMAGES_BYTES
        self.addresses: list[str] = []

    def _file(self, name: str) -> bytes | None:
        if self.folder is None or name.startswith("/") or "\\" in name:
            return None
        path = (self.folder / name).resolve()
        if not path.is_relative_to(self.folder) or not path.is_file():
            return None
        if path.stat().st_size > MAX_IMAGE_BYTES:
            return None
        return path.read_bytes()

    @staticmethod
    def _attachment(cell: NotebookNode, name: str) -> bytes | None:
        bundle = cell.get("attachments", {}).get(name)
        if not isinstance(bundle, dict):
            return None
        for kind in ("image/png", "image/jpeg", "image/gif"):
            text = bundle.get(kind)
            if isinstance(text, str) and len(text) <= MAX_IMAGE_BYTES * 4 // 3 + 4:
                try:
                    return base64.b64decode(text, validate=True)
                except (binascii.Error, ValueError):
                    return None
        return None

    def data_address(self, cell: NotebookNode, target: str) -> str | None:
        """``target`` as a ``data:`` address, or None if it may not be embedded."""
        if target.startswith("attachment:"):
            data = self._attachment(cell, target.removeprefix("attachment:"))
        else:
            data = self._file(target)
        kind = image_type(data) if data else None
        if data is None or kind is None or len(data) > min(MAX_IMAGE_BYTES, self.left):
            return None
        self.left -= len(data)
        return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"

    def markdown(self, cell: NotebookNode) -> str:
        """The Markdown cell's text, each image that may be embedded named by a short
        placeholder ``data:`` address (the text is cut to a bounded length before it is
        rendered; ``fill`` puts the images in after)."""

        def swap(match: re.Match) -> str:
            address = self.data_address(cell, match.group(2))
            if address is None:
                return match.group(0)
            self.addresses.append(address)
            return match.group(1) + PLACEHOLDER.format(len(self.addresses) - 1) + match.group(3)

        return _IMAGE.sub(swap, str(cell.source))

    def fill(self, markup: str) -> str:
        """Rendered HTML with the placeholders of ``markdown`` replaced by the images."""

        def image(match: re.Match) -> str:
            number = int(match.group(1))
            return self.addresses[number] if number < len(self.addresses) else ""

        return _PLACEHOLDER.sub(image, markup)
