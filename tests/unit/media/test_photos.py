"""Decode, check, strip: what an upload must be, and what every rendition must (not) carry."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image

from tests import pictures
from warta import photos
from warta.photos import MAX_PIXELS, Made, Refused, inspect, make_renditions, plan


def opened(made: Made) -> Image.Image:
    image = Image.open(io.BytesIO(made.body))
    image.load()
    return image


def rendition(renditions: list[Made], name: str, extension: str) -> Made:
    return next(r for r in renditions if (r.name, r.extension) == (name, extension))


def near(pixel: object, colour: tuple[int, int, int], tolerance: int = 24) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


@pytest.mark.parametrize("profile", [None, pictures.swapped_profile()], ids=["plain", "icc"])
def test_no_rendition_carries_the_phones_metadata(profile: bytes | None) -> None:
    upload = pictures.phone_jpeg(icc_profile=profile)
    original = Image.open(io.BytesIO(upload))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the GPS position is there
    assert {"exif", "xmp", "comment"} <= set(original.info)

    renditions = make_renditions(upload)
    assert {(r.name, r.extension) for r in renditions} == {
        (name, extension) for name in ("card", "article", "social") for extension in ("webp", "jpg")
    }
    for made in renditions:
        image = opened(made)
        assert image.format == {"webp": "WEBP", "jpg": "JPEG"}[made.extension]
        assert len(image.getexif()) == 0, made
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo), made
        assert not {"exif", "xmp", "comment", "icc_profile"} & set(image.info), made
        for trace in (b"Exif\0\0", b"http://ns.adobe.com/xap/", pictures.COMMENT, b"Fonsel"):
            assert trace not in made.body, (made.name, made.extension, trace)


@pytest.mark.parametrize("orientation", [6, 8])
def test_the_orientation_is_applied(orientation: int) -> None:
    # Stored 400x300, left half red, right half blue; shown turned a quarter.
    upload = pictures.phone_jpeg((400, 300), orientation)
    assert inspect(upload, "image/jpeg") == photos.Inspected("image/jpeg", 300, 400)
    article = opened(rendition(make_renditions(upload), "article", "jpg"))
    assert article.size == (300, 400)  # never larger than the photo
    red, blue = (220, 20, 20), (20, 20, 220)
    top, bottom = article.getpixel((150, 40)), article.getpixel((150, 360))
    # Orientation 6 turns the stored top to the right, so the stored left half comes on top.
    assert (near(top, red), near(bottom, blue)) == (
        (True, True) if orientation == 6 else (False, False)
    )
    assert (near(top, blue), near(bottom, red)) == ((orientation == 8),) * 2


def test_a_large_png_is_shrunk_first_and_still_turned_upright() -> None:
    # 4800x3600 stored, shown turned (orientation 6): shrunk by a whole factor, then turned.
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    stored = pictures.halves((4800, 3600), (220, 20, 20), (20, 20, 220))
    upload = pictures.encoded(stored, "PNG", exif=exif)
    assert inspect(upload, "image/png") == photos.Inspected("image/png", 3600, 4800)
    article = opened(rendition(make_renditions(upload), "article", "jpg"))
    assert article.size == (1200, 1600)
    assert near(article.getpixel((600, 100)), (220, 20, 20))
    assert near(article.getpixel((600, 1500)), (20, 20, 220))


def test_colours_are_converted_from_the_embedded_profile_to_srgb() -> None:
    red_in_profile = Image.new("RGB", (300, 200), (255, 0, 0))
    upload = pictures.phone_jpeg(image=red_in_profile, icc_profile=pictures.swapped_profile())
    for made in make_renditions(upload):
        assert near(opened(made).getpixel((20, 20)), (0, 255, 0), 30), made


def test_a_cmyk_jpeg_becomes_rgb() -> None:
    upload = pictures.encoded(Image.new("CMYK", (200, 150), (0, 255, 255, 0)), "JPEG")
    assert inspect(upload, "image/jpeg").media_type == "image/jpeg"
    for made in make_renditions(upload):
        image = opened(made)
        assert image.mode == "RGB"
        assert near(image.getpixel((10, 10)), (255, 0, 0), 30), made


def test_16_bit_pngs_keep_their_tones() -> None:
    grey = pictures.encoded(Image.new("I;16", (120, 90), 32768), "PNG")
    colour = pictures.png16_rgb(120, 90, (0xC000, 0x4000, 0x2000))
    for upload, expected in ((grey, (128, 128, 128)), (colour, (192, 64, 32))):
        assert inspect(upload, "image/png").media_type == "image/png"
        for made in make_renditions(upload):
            assert near(opened(made).getpixel((5, 5)), expected, 8), (made, expected)


def test_transparency_is_flattened_on_white() -> None:
    image = Image.new("RGBA", (160, 100), (255, 0, 0, 0))
    image.paste((0, 0, 255, 128), (80, 0, 160, 100))
    for made in make_renditions(pictures.encoded(image, "PNG")):
        picture = opened(made)
        assert picture.mode == "RGB"
        assert near(picture.getpixel((2, 50)), (255, 255, 255), 8), made
        assert near(picture.getpixel((picture.width - 3, 50)), (127, 127, 255), 12), made


def test_a_paletted_png_with_transparency() -> None:
    image = Image.new("P", (64, 64), 0)
    image.putpalette([0, 200, 0] + [0, 0, 0] * 255)
    upload = pictures.encoded(image, "PNG", transparency=0)
    assert near(opened(make_renditions(upload)[0]).getpixel((3, 3)), (255, 255, 255), 8)


def test_rendition_sizes_fill_or_fit_and_never_upscale() -> None:
    assert [(p.name, p.width, p.height) for p in plan(4032, 3024)] == [
        ("card", 640, 400),
        ("article", 1200, 900),
        ("social", 1200, 630),
    ]
    assert [(p.width, p.height) for p in plan(3024, 4032)] == [
        (640, 400),
        (1200, 1600),
        (1200, 630),
    ]
    # Smaller than a box: the largest crop of the box's shape, at the photo's own scale.
    assert [(p.width, p.height) for p in plan(800, 300)] == [(480, 300), (800, 300), (571, 300)]
    made = make_renditions(pictures.phone_jpeg((4032, 3024)))
    for planned in plan(4032, 3024):
        for extension in ("webp", "jpg"):
            assert opened(rendition(made, planned.name, extension)).size == (
                planned.width,
                planned.height,
            )


def test_an_mpo_is_a_jpeg_not_an_animation() -> None:
    frames = [Image.new("RGB", (120, 90), (200, 0, 0)), Image.new("RGB", (60, 45), (0, 0, 200))]
    upload = pictures.encoded(frames[0], "MPO", save_all=True, append_images=frames[1:])
    assert Image.open(io.BytesIO(upload)).format == "MPO"
    assert inspect(upload, "image/jpeg") == photos.Inspected("image/jpeg", 120, 90)
    assert near(opened(make_renditions(upload)[0]).getpixel((5, 5)), (200, 0, 0))


def test_webp_is_accepted() -> None:
    upload = pictures.encoded(Image.new("RGB", (300, 200), (10, 120, 10)), "WEBP")
    assert inspect(upload, "image/webp") == photos.Inspected("image/webp", 300, 200)


def refusal(data: bytes, declared: str | None = None) -> str:
    with pytest.raises(Refused) as refused:
        inspect(data, declared)
    return refused.value.reason


def test_what_is_not_a_photo_we_take_is_refused() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 64
    gif = pictures.encoded(Image.new("RGB", (8, 8)), "GIF")
    assert refusal(b"Rapat pleno KPU, bukan foto.") == "not-an-image"
    assert refusal(svg, "image/svg+xml") == "not-accepted"
    assert refusal(b'<?xml version="1.0"?>\n' + svg) == "not-accepted"
    assert refusal(heic, "image/heic") == "not-accepted"
    assert refusal(gif, "image/gif") == "not-accepted"
    assert refusal(pictures.encoded(Image.new("RGB", (8, 8)), "BMP")) == "not-an-image"
    assert refusal(pictures.animated("PNG")) == "animated"
    assert refusal(pictures.animated("WEBP")) == "animated"


def test_a_declared_type_must_agree_with_the_bytes() -> None:
    jpeg = pictures.phone_jpeg()
    assert refusal(jpeg, "image/png") == "type-mismatch"
    for declared in (
        "image/jpeg",
        "image/jpg",
        "image/pjpeg",
        "application/octet-stream",
        "",
        None,
    ):
        assert inspect(jpeg, declared).media_type == "image/jpeg"


def test_truncated_files_are_undecodable() -> None:
    jpeg = pictures.phone_jpeg((800, 600))
    png = pictures.encoded(pictures.halves((300, 200), (1, 2, 3), (200, 100, 50)), "PNG")
    webp = pictures.encoded(pictures.halves((300, 200), (1, 2, 3), (200, 100, 50)), "WEBP")
    progressive = pictures.encoded(
        pictures.halves((800, 600), (9, 9, 9), (200, 0, 0)), "JPEG", progressive=True
    )
    for whole in (jpeg, png, webp, progressive):
        assert refusal(whole[: len(whole) * 2 // 3]) == "undecodable"


def test_bombs_are_refused_from_the_header() -> None:
    # Each is a few hundred bytes that claims more pixels than the limit.
    assert len(pictures.bomb_png(200_000, 200_000)) < 200
    assert refusal(pictures.bomb_png(200_000, 200_000)) == "too-many-pixels"  # Pillow's guard
    assert refusal(pictures.bomb_png(6000, 5000)) == "too-many-pixels"  # 30 MP > 25 for PNG
    assert refusal(pictures.bomb_jpeg(60_000, 60_000)) == "too-many-pixels"
    assert refusal(pictures.bomb_jpeg(9000, 6000)) == "too-many-pixels"  # 54 MP > 50 for JPEG
    # Within the limits the header is believed, and the missing data found out.
    assert refusal(pictures.bomb_png(5000, 5000)) == "undecodable"
    assert MAX_PIXELS == {"JPEG": 50_000_000, "PNG": 25_000_000, "WEBP": 25_000_000}
