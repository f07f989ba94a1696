"""Test photos, made here with Pillow (and a few bytes by hand): a phone's JPEG with GPS EXIF,
an orientation tag, XMP and a comment; colour profiles; CMYK; 16-bit PNGs; alpha; animations;
bombs and truncated files."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image

# Where the fake GPS puts the photographer: Pasuruan, East Java.
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "S",
    ExifTags.GPS.GPSLatitude: (7.0, 38.0, 45.6),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (112.0, 54.0, 12.3),
}
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-'
    b'rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="7,38.76S"/></rdf:RDF></x:xmpmeta>'
)
COMMENT = b"Kamera Dinas KPU Pasuruan"
# sRGB's colorants adapted to D50 (the ICC connection space).
SRGB_RED = (0.4361, 0.2225, 0.0139)
SRGB_GREEN = (0.3851, 0.7169, 0.0971)
SRGB_BLUE = (0.1431, 0.0606, 0.7141)


def encoded(image: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)  # type: ignore[arg-type]
    return buffer.getvalue()


def halves(
    size: tuple[int, int], left: tuple[int, ...], right: tuple[int, ...], mode: str = "RGB"
) -> Image.Image:
    """Left half one colour, right half another: shows which way a photo was turned."""
    image = Image.new(mode, size, left)
    image.paste(Image.new(mode, (size[0] - size[0] // 2, size[1]), right), (size[0] // 2, 0))
    return image


def phone_jpeg(
    size: tuple[int, int] = (400, 300),
    orientation: int = 1,
    *,
    image: Image.Image | None = None,
    icc_profile: bytes | None = None,
) -> bytes:
    """A JPEG as a phone writes it: EXIF with the camera, the orientation and a GPS position,
    XMP that repeats the position, and a comment. Left half red, right half blue unless
    `image` is given."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Fonsel"
    exif[ExifTags.Base.Model] = "F12 Pro"
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    picture = image or halves(size, (220, 20, 20), (20, 20, 220))
    options: dict[str, object] = {"exif": exif, "xmp": XMP, "comment": COMMENT, "quality": 92}
    if icc_profile:
        options["icc_profile"] = icc_profile
    return encoded(picture, "JPEG", **options)


def rgb_profile(red: tuple[float, ...], green: tuple[float, ...], blue: tuple[float, ...]) -> bytes:
    """An ICC v2 display profile (matrix and gamma 2.2 curves) with the given colorants."""

    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(values: tuple[float, ...]) -> bytes:
        return b"XYZ \0\0\0\0" + b"".join(s15(v) for v in values)

    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(2.2 * 256)) + b"\0\0"
    name = b"Warta test RGB\0"
    description = (
        b"desc\0\0\0\0" + struct.pack(">I", len(name)) + name + b"\0" * 8 + b"\0\0\0" + b"\0" * 67
    )
    tags = [
        (b"desc", description),
        (b"wtpt", xyz((0.9642, 1.0, 0.8249))),
        (b"rXYZ", xyz(red)),
        (b"gXYZ", xyz(green)),
        (b"bXYZ", xyz(blue)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
        (b"cprt", b"text\0\0\0\0Made by the Warta tests\0"),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    header = bytearray(128)
    header[8:12] = b"\x02\x10\x00\x00"
    header[12:24] = b"mntrRGB XYZ "
    header[24:36] = struct.pack(">6H", 2026, 12, 4, 0, 0, 0)
    header[36:40] = b"acsp"
    header[68:80] = s15(0.9642) + s15(1.0) + s15(0.8249)
    profile = bytes(header) + struct.pack(">I", len(tags)) + table + data
    return struct.pack(">I", len(profile)) + profile[4:]


def swapped_profile() -> bytes:
    """A profile whose red is sRGB's green and whose green is sRGB's red: what it calls pure
    red is, converted to sRGB, pure green."""
    return rgb_profile(SRGB_GREEN, SRGB_RED, SRGB_BLUE)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(width: int, height: int, bit_depth: int, colour_type: int, rows: bytes) -> bytes:
    """A PNG written by hand (Pillow cannot write 16-bit colour)."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(rows))
        + png_chunk(b"IEND", b"")
    )


def png16_rgb(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    row = b"\0" + struct.pack(">3H", *colour) * width
    return png_bytes(width, height, 16, 2, row * height)


def bomb_png(width: int, height: int) -> bytes:
    """A header that claims width x height, with a few bytes of data: tiny on the wire."""
    return png_bytes(width, height, 8, 2, b"\0" * 16)


def bomb_jpeg(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header claims width x height."""
    data = bytearray(encoded(Image.new("RGB", (16, 16), (90, 90, 90)), "JPEG"))
    start = data.index(b"\xff\xc0")  # SOF0: length (2), precision (1), height (2), width (2)
    data[start + 5 : start + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def animated(image_format: str) -> bytes:
    frames = [Image.new("RGB", (64, 48), colour) for colour in ((200, 0, 0), (0, 0, 200))]
    return encoded(frames[0], image_format, save_all=True, append_images=frames[1:], duration=200)
