"""Photos: what an upload is, judged before anything is kept, and the renditions the public sees:
oriented, in sRGB, and with no metadata (no EXIF and its GPS position, no XMP, no comment, no
colour profile).

An upload is judged from its header first (format, dimensions, frames), so a decompression bomb
is refused before a pixel is decoded; then it is decoded once, to prove it whole. Renditions are
made from the original by the media worker. A JPEG is decoded at the smallest scale that still
covers the largest rendition (libjpeg's DCT scaling, `Image.draft`), which keeps the job of a
50-megapixel photo to tens of megabytes; PNG and WebP are decoded whole, hence their lower
pixel limit."""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from typing import Any

from PIL import ExifTags, Image, ImageCms, ImageOps, UnidentifiedImageError

MAX_BYTES = 20 * 1024 * 1024
# Pillow keeps an RGB pixel in 4 bytes: a PNG or WebP of 25 megapixels is 100 MB decoded. A
# JPEG is decoded at a quarter of its width or less (see above), whatever its size.
MAX_PIXELS = {"JPEG": 50_000_000, "PNG": 25_000_000, "WEBP": 25_000_000}
# Pillow's own guard, behind ours: it warns above this and refuses above twice this.
Image.MAX_IMAGE_PIXELS = max(MAX_PIXELS.values())

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# A JPEG with a multi-picture index (a phone's depth map or preview after the photo): Pillow
# calls it MPO; its first picture is the photo.
FORMAT_OF = {"MPO": "JPEG"}
# What clients call the accepted types besides their registered names.
TYPE_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png"}
# A declared type that says nothing about the format: the bytes decide.
UNSPECIFIC_TYPES = frozenset({"", "application/octet-stream"})
TRANSPOSING_ORIENTATIONS = frozenset({5, 6, 7, 8})  # EXIF orientations that swap the sides

WHITE = (255, 255, 255)
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
# ICC colour spaces (the profile header's field) and the Pillow modes they describe.
PROFILE_MODES = {"RGB ": ("RGB", "RGBA"), "CMYK": ("CMYK",), "GRAY": ("L",)}


class Refused(Exception):
    """The upload is not a photo we take; `reason` names why, the message says it to the office.

    Reasons: `not-an-image`, `not-accepted` (SVG, GIF, HEIC...), `animated`, `type-mismatch`
    (the declared type is another image type than the bytes), `too-many-pixels`, `undecodable`
    (truncated or corrupt)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Inspected:
    """An accepted upload: its type and its size as shown (EXIF orientation applied)."""

    media_type: str
    width: int
    height: int


@dataclass(frozen=True)
class Spec:
    """A rendition: `cover` crops the middle to fill width x height; otherwise the whole photo
    fits within them. Never larger than the photo: a small photo gives a smaller rendition."""

    name: str
    width: int
    height: int
    cover: bool


# card: the listing card (8:5, shown at 320x200, twice that for sharp screens); article: the
# article page's column; social: og:image and the like (1200x630 is what Facebook, X and
# LinkedIn ask for). Renaming or resizing one needs a new name: its URLs are cached as immutable.
SPECS = (
    Spec("card", 640, 400, cover=True),
    Spec("article", 1200, 1600, cover=False),
    Spec("social", 1200, 630, cover=True),
)


@dataclass(frozen=True)
class Encoding:
    extension: str
    media_type: str
    pillow_format: str
    options: dict[str, Any]


# WebP for the browsers that take it (a third of the JPEG's bytes), JPEG for every other reader
# (feed readers, mail, og:image scrapers). Quality 80/82: no visible loss at the sizes shown.
ENCODINGS = (
    Encoding("webp", "image/webp", "WEBP", {"quality": 80, "method": 4}),
    Encoding(
        "jpg",
        "image/jpeg",
        "JPEG",
        {"quality": 82, "optimize": True, "progressive": True, "subsampling": "4:2:0"},
    ),
)
ENCODING_BY_EXTENSION = {encoding.extension: encoding for encoding in ENCODINGS}


@dataclass(frozen=True)
class Planned:
    name: str
    width: int
    height: int


@dataclass(frozen=True)
class Made:
    name: str
    extension: str
    media_type: str
    width: int
    height: int
    body: bytes


def inspect(data: bytes, declared_type: str | None = None) -> Inspected:
    """Judge an upload: its header, then one decode to prove it whole. Raises `Refused`."""
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError:
        raise _unidentified(data) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(None) from None
    except Exception as error:  # a known format's header that its plugin could not read
        raise Refused("undecodable", f"The image cannot be decoded ({error}).") from None
    with image:
        image_format = FORMAT_OF.get(image.format or "", image.format or "")
        media_type = MEDIA_TYPES[image_format]
        _check_declared(declared_type, media_type)
        width, height = image.size
        if width * height > MAX_PIXELS[image_format]:
            raise _too_many_pixels(image_format, width, height)
        if image_format != "JPEG" and getattr(image, "is_animated", False):
            raise Refused("animated", "Animated images are not accepted; send a still photo.")
        orientation = _orientation(image)
        if image_format == "JPEG":
            # The smallest scale decodes every byte of the stream all the same: a truncated or
            # corrupt file fails here as it would at full size, at a fraction of the cost.
            image.draft(None, (max(1, width // 8), max(1, height // 8)))
        try:
            image.load()
        except Exception as error:
            raise Refused("undecodable", f"The image is truncated or corrupt ({error}).") from None
    if orientation in TRANSPOSING_ORIENTATIONS:
        width, height = height, width
    return Inspected(media_type, width, height)


def _unidentified(data: bytes) -> Refused:
    head = data[:1024].lstrip()
    if b"<svg" in head.lower() or head.startswith(b"<?xml"):
        return Refused(
            "not-accepted", "SVG is not accepted (it can carry script); send a JPEG, PNG or WebP."
        )
    if data[4:8] == b"ftyp":
        return Refused(
            "not-accepted",
            "HEIC, HEIF and AVIF are not accepted; send the photo as JPEG (on an iPhone: "
            "Settings > Camera > Formats > Most Compatible).",
        )
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return Refused("not-accepted", "GIF is not accepted; send a JPEG, PNG or WebP.")
    return Refused("not-an-image", "The body is not a JPEG, PNG or WebP image.")


def _too_many_pixels(image_format: str | None, width: int = 0, height: int = 0) -> Refused:
    limit = MAX_PIXELS.get(image_format or "", max(MAX_PIXELS.values()))
    size = f" ({width}x{height})" if width else ""
    return Refused(
        "too-many-pixels",
        f"The image has too many pixels{size}; at most {limit // 1_000_000} megapixels "
        f"for {image_format or 'any format'}.",
    )


def _check_declared(declared_type: str | None, media_type: str) -> None:
    declared = (declared_type or "").split(";")[0].strip().lower()
    declared = TYPE_ALIASES.get(declared, declared)
    if declared not in UNSPECIFIC_TYPES and declared != media_type:
        raise Refused("type-mismatch", f"The body was sent as {declared} but it is {media_type}.")


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(ExifTags.Base.Orientation, 1))
    except Exception:  # an unreadable EXIF block orients nothing
        return 1


def plan(width: int, height: int) -> list[Planned]:
    """The renditions of a photo of this size (as shown), in SPECS order: known at upload."""
    return [Planned(spec.name, *_rendition_size(spec, width, height)) for spec in SPECS]


def _rendition_size(spec: Spec, width: int, height: int) -> tuple[int, int]:
    if not spec.cover:
        scale = min(1.0, spec.width / width, spec.height / height)
        return max(1, round(width * scale)), max(1, round(height * scale))
    if width >= spec.width and height >= spec.height:
        return spec.width, spec.height
    # Too small to fill the box: the largest crop of the box's shape, at the photo's own scale.
    if width * spec.height > height * spec.width:
        return max(1, round(height * spec.width / spec.height)), height
    return width, max(1, round(width * spec.height / spec.width))


def _scale_needed(spec: Spec, width: int, height: int) -> float:
    if spec.cover:
        return min(1.0, max(spec.width / width, spec.height / height))
    return min(1.0, spec.width / width, spec.height / height)


def make_renditions(data: bytes) -> list[Made]:
    """Every rendition of an accepted upload, in each encoding, with no metadata in any."""
    with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
        width, height = image.size
        if _orientation(image) in TRANSPOSING_ORIENTATIONS:
            width, height = height, width
        needed = max(_scale_needed(spec, width, height) for spec in SPECS)
        wanted = (_ceil(image.size[0] * needed), _ceil(image.size[1] * needed))
        if image.format in ("JPEG", "MPO"):
            image.draft(None, wanted)
        image.load()
        photo = _shown(_reduced(image, wanted))
    made = []
    for spec, planned in zip(SPECS, plan(width, height), strict=True):
        size = (planned.width, planned.height)
        if spec.cover:
            rendition = ImageOps.fit(photo, size, Image.Resampling.LANCZOS)
        elif photo.size != size:
            rendition = photo.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        else:
            rendition = photo.copy()
        for encoding in ENCODINGS:
            buffer = io.BytesIO()
            rendition.save(buffer, encoding.pillow_format, **encoding.options)
            made.append(
                Made(spec.name, encoding.extension, encoding.media_type, *size, buffer.getvalue())
            )
    return made


def _ceil(value: float) -> int:
    return max(1, -int(-value // 1))


def _reduced(image: Image.Image, wanted: tuple[int, int]) -> Image.Image:
    """Shrunk by the largest whole factor that keeps it at least `wanted`, before anything
    copies it: a PNG or WebP is decoded whole, and every copy of it would cost as much again.
    (Box averaging; the renditions are then resampled from it with Lanczos.)"""
    factor = min(image.size[0] // wanted[0], image.size[1] // wanted[1])
    if factor < 2:
        return image
    try:
        return image.reduce(factor)
    except ValueError:  # a mode it does not take (palette, 1-bit, 16-bit grey): resampled later
        return image


def _shown(image: Image.Image) -> Image.Image:
    """The photo as it is meant to be seen: upright, in sRGB, opaque RGB (alpha on white)."""
    icc = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)
    photo = _eight_bit(upright)
    if icc:
        photo = _to_srgb(photo, icc)
    if photo.mode == "RGBA":
        background = Image.new("RGB", photo.size, WHITE)
        background.paste(photo, mask=photo.getchannel("A"))
        photo = background
    elif photo.mode != "RGB":
        photo = photo.convert("RGB")
    photo.info.clear()  # nothing of the original's metadata may reach a rendition
    return photo


def _eight_bit(image: Image.Image) -> Image.Image:
    """RGB, RGBA, CMYK or L with 8 bits a channel. Pillow converts 16-bit grey by clipping
    (mid-grey would come out white), so it is scaled down first."""
    if image.mode.startswith("I;16") or image.mode == "I":
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode == "F":
        return image.point(lambda value: value * 255).convert("L")
    if image.mode in ("P", "PA"):
        return image.convert("RGBA" if _has_transparency(image) else "RGB")
    if image.mode in ("LA", "La", "RGBa"):
        return image.convert("RGBA")
    if image.mode in ("RGB", "RGBA", "CMYK", "L"):
        return image
    return image.convert("RGB")


def _has_transparency(image: Image.Image) -> bool:
    return image.mode == "PA" or "transparency" in image.info


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """Colours converted from the embedded profile to sRGB; a profile that cannot be read, or
    that does not describe the pixels, is ignored (the pixels are then taken as sRGB)."""
    try:
        transform = _transform(icc, image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        transform = None
    return image if transform is None else transform.apply(image)


@functools.lru_cache(maxsize=32)
def _transform(icc: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    """A transform from the profile to sRGB (alpha, if any, passes through), built once per
    profile: phones embed the same few, e.g. Display P3."""
    profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    if mode not in PROFILE_MODES.get(profile.profile.xcolor_space, ()):
        return None
    return ImageCms.buildTransform(profile, SRGB, mode, "RGBA" if mode == "RGBA" else "RGB")
