"""An uploaded photo's rendition rows as the media worker leaves them, for the benchmarks that
show photos (render_pages.py, feeds.py)."""

from __future__ import annotations

from typing import Any

SIZES = (("card", 640, 400), ("article", 1200, 900), ("social", 1200, 630))


def rendition_rows(length: int) -> list[Any]:
    """Each size in WebP and JPEG, every file `length` bytes."""
    from warta.models import MediaRendition

    return [
        MediaRendition(
            name=name,
            extension=extension,
            media_type=f"image/{'jpeg' if extension == 'jpg' else 'webp'}",
            width=width,
            height=height,
            length=length,
            etag='"x"',
        )
        for name, width, height in SIZES
        for extension in ("webp", "jpg")
    ]
