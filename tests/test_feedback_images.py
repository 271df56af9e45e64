"""Images of the assignment in feedback pages: embedded as data when they are the
assignment's own PNG, JPEG or GIF files (or a cell's attachments); nothing else is read."""

import base64
import re

from nbformat.v4 import new_markdown_cell, new_notebook

from gradelab.feedback.images import MAX_IMAGE_BYTES, ImageSource
from gradelab.feedback.page import page

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


def images_of(html: str) -> list[str]:
    return re.findall(r'<img[^>]*src="([^"]*)"', html) + re.findall(r"<img(?![^>]*src=)", html)


def shown(folder, markdown: str, attachments: dict | None = None) -> list[str]:
    cell = new_markdown_cell(markdown)
    if attachments:
        cell["attachments"] = attachments
    notebook = new_notebook(cells=[cell])
    return images_of(page(notebook, {"assignment": "hw"}, images=ImageSource(folder)))


def test_an_image_file_of_the_assignment_is_shown_as_data(tmp_path):
    (tmp_path / "plot.png").write_bytes(PNG)
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "a.gif").write_bytes(b"GIF89a" + bytes(20))
    sources = shown(tmp_path, '![a plot](plot.png "title")\n\n![gif](figures/a.gif)')
    assert sources[0] == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert sources[1].startswith("data:image/gif;base64,")


def test_a_cell_attachment_is_shown_as_data(tmp_path):
    encoded = base64.b64encode(PNG).decode()
    sources = shown(tmp_path, "![x](attachment:x.png)", {"x.png": {"image/png": encoded}})
    assert sources == ["data:image/png;base64," + encoded]


def test_files_outside_the_assignment_svg_fakes_and_big_files_are_not_read(tmp_path):
    folder = tmp_path / "release"
    folder.mkdir()
    (tmp_path / "secret.png").write_bytes(PNG)
    (folder / "link.png").symlink_to(tmp_path / "secret.png")
    (folder / "drawing.svg").write_text("<svg onload='alert(1)'></svg>")
    (folder / "fake.png").write_text("<script>alert(1)</script>")
    (folder / "big.png").write_bytes(PNG + bytes(MAX_IMAGE_BYTES))
    markdown = "\n\n".join(
        f"![{name}]({name})"
        for name in (
            "../secret.png",
            "link.png",
            "/etc/passwd",
            "drawing.svg",
            "fake.png",
            "big.png",
        )
    )
    sources = shown(folder, markdown)
    assert len(sources) == 6
    assert not any(source.startswith("data:") for source in sources)


def test_a_forged_placeholder_shows_nothing(tmp_path):
    sources = shown(tmp_path, "![x](data:image/png;base64,GRADELABIMAGE7X)")
    assert not any("GRADELABIMAGE" in source for source in sources)
