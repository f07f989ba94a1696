"""The demo reports' photos, drawn here with Pillow (the sample reports came without theirs):
simple scenes of what each report tells, with their caption, credit and alt text.

Each is a JPEG as a phone writes it, camera and GPS position included, so that the demo sends
its photos through the whole path an office's would take: checked, stripped of that metadata,
rendered. Drawn the same each time (no randomness): the same bytes, the same upload."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PIL import ExifTags, Image, ImageDraw, ImageFont, ImageOps

SIZE = (1800, 1200)  # 3:2, as a phone takes it; larger than every rendition
CREDIT = "Ilustrasi Warta"
# The camera and position a phone would write (KPU Kabupaten Pasuruan's office, roughly): none
# of it may reach the public renditions.
CAMERA = ("Warta", "Demo Camera")
GPS: dict[int, Any] = {
    ExifTags.GPS.GPSLatitudeRef: "S",
    ExifTags.GPS.GPSLatitude: (7.0, 38.0, 40.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (112.0, 54.0, 30.0),
}

Colour = tuple[int, int, int]
INK: Colour = (32, 32, 40)
WHITE: Colour = (255, 255, 255)
KPU_RED: Colour = (163, 20, 28)


@dataclass(frozen=True)
class DemoPhoto:
    caption: str
    alt: str
    draw: Callable[[Image.Image], None]  # the scene, on the backdrop
    backdrop: tuple[Colour, Colour]  # top and bottom of its gradient
    credit: str = CREDIT

    def jpeg(self) -> bytes:
        return _jpeg(self)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _backdrop(top: Colour, bottom: Colour) -> Image.Image:
    gradient = Image.linear_gradient("L").resize(SIZE)
    return ImageOps.colorize(gradient, top, bottom).convert("RGB")


def _banner(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], lines: list[str]) -> None:
    draw.rectangle(box, fill=KPU_RED)
    x0, y0, x1, _ = box
    for number, line in enumerate(lines):
        size = 64 if number == 0 else 40
        y = y0 + 30 + number * 80
        draw.text(((x0 + x1) // 2, y), line, font=_font(size), fill=WHITE, anchor="ma")


def _person(draw: ImageDraw.ImageDraw, x: int, y: int, scale: float, shirt: Colour) -> None:
    """A seated figure seen from behind or in front: head and shoulders."""
    head = int(38 * scale)
    draw.ellipse((x - head, y - 2 * head, x + head, y), fill=(86, 60, 46))
    draw.rounded_rectangle(
        (x - int(80 * scale), y + 6, x + int(80 * scale), y + int(150 * scale)),
        radius=int(40 * scale),
        fill=shirt,
    )


def _webinar(image: Image.Image) -> None:
    """A laptop on a desk, its screen showing a padlocked shield and the webinar's title."""
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 860, SIZE[0], SIZE[1]), fill=(120, 84, 56))  # the desk
    draw.polygon([(430, 860), (1370, 860), (1500, 1010), (300, 1010)], fill=(70, 72, 80))
    draw.rounded_rectangle((420, 240, 1380, 860), radius=24, fill=(40, 42, 50))
    screen = (450, 270, 1350, 830)
    draw.rectangle(screen, fill=(18, 52, 96))
    shield = [(900, 330), (1040, 380), (1020, 560), (900, 640), (780, 560), (760, 380)]
    draw.polygon(shield, fill=(46, 160, 110))
    draw.rounded_rectangle((850, 450, 950, 540), radius=12, fill=WHITE)  # the padlock
    draw.arc((865, 395, 935, 475), 180, 360, fill=WHITE, width=16)
    draw.text((900, 690), "Keamanan Siber", font=_font(58), fill=WHITE, anchor="ma")
    draw.text((900, 762), "Webinar Seri VIII", font=_font(38), fill=(190, 210, 240), anchor="ma")


def _meeting(image: Image.Image) -> None:
    """A meeting room: a banner on the wall, a long table, people seated on both sides."""
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 760, SIZE[0], SIZE[1]), fill=(150, 112, 80))  # the floor
    _banner(
        draw, (260, 90, 1540, 330), ["Rapat Koordinasi PDPB", "Triwulan IV · Kabupaten Pasuruan"]
    )
    draw.polygon([(560, 560), (1240, 560), (1560, 1080), (240, 1080)], fill=(232, 228, 218))
    shirts = [(40, 70, 120), (200, 200, 200), (120, 30, 40), (60, 110, 80)]
    for row, (y, scale) in enumerate(((590, 0.7), (760, 0.9), (950, 1.1))):
        offset = 70 + row * 110
        for side, x in enumerate((560 - offset, 1240 + offset)):
            _person(draw, x, y, scale, shirts[(row + side) % len(shirts)])


def _video_call(image: Image.Image) -> None:
    """A video call on a big screen, a grid of participants, and a phone showing Sirekap."""
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((120, 110, 1400, 900), radius=18, fill=(24, 26, 32))
    tiles = [(140 + col * 420, 130 + row * 260) for row in range(3) for col in range(3)]
    backgrounds = [(70, 90, 120), (90, 70, 60), (60, 100, 90), (110, 100, 70), (80, 80, 110)]
    for number, (x, y) in enumerate(tiles):
        draw.rectangle((x, y, x + 400, y + 240), fill=backgrounds[number % len(backgrounds)])
        _person(draw, x + 200, y + 130, 0.75, (230, 230, 230) if number % 2 else KPU_RED)
    draw.rounded_rectangle((1440, 380, 1700, 900), radius=30, fill=(20, 20, 24))  # the phone
    draw.rectangle((1460, 420, 1680, 860), fill=WHITE)
    draw.rectangle((1460, 420, 1680, 500), fill=KPU_RED)
    draw.text((1570, 440), "Sirekap", font=_font(40), fill=WHITE, anchor="ma")
    for line in range(5):
        draw.rectangle((1480, 530 + line * 60, 1660, 560 + line * 60), fill=(220, 224, 230))


def _office(image: Image.Image) -> None:
    """The front of an office building under a clear sky, its name over the door."""
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 980, SIZE[0], SIZE[1]), fill=(96, 140, 70))  # the lawn
    draw.rectangle((260, 330, 1540, 1000), fill=(238, 232, 214))
    draw.polygon([(200, 340), (900, 150), (1600, 340)], fill=(150, 60, 44))  # the roof
    for column in range(6):
        x = 380 + column * 210
        draw.rectangle((x, 460, x + 40, 1000), fill=WHITE)
    for x in (470, 1090, 1300):
        draw.rectangle((x, 560, x + 150, 760), fill=(120, 160, 190))
    draw.rectangle((800, 680, 1000, 1000), fill=(110, 70, 40))  # the door
    draw.rectangle((560, 380, 1240, 450), fill=KPU_RED)
    draw.text((900, 393), "KPU Kabupaten Pasuruan", font=_font(46), fill=WHITE, anchor="ma")
    draw.rectangle((1640, 560, 1652, 1000), fill=(90, 90, 90))  # a flagpole and its flag
    draw.rectangle((1652, 560, 1760, 600), fill=(206, 17, 38))
    draw.rectangle((1652, 600, 1760, 640), fill=WHITE)


# By the sample report's external id.
PHOTOS = {
    "kab-pasuruan-1": DemoPhoto(
        caption="Webinar Keamanan Siber dan Kedaulatan Digital Pemilu 2024, seri VIII (ilustrasi).",
        alt="Layar laptop menampilkan perisai bergembok dan tulisan Keamanan Siber.",
        draw=_webinar,
        backdrop=((214, 222, 232), (168, 180, 196)),
    ),
    "kab-pasuruan-2": DemoPhoto(
        caption="Rapat koordinasi PDPB Triwulan IV di ruang serbaguna KPU Kabupaten Pasuruan "
        "(ilustrasi).",
        alt="Peserta rapat duduk di kedua sisi meja panjang di bawah spanduk merah.",
        draw=_meeting,
        backdrop=((236, 230, 216), (206, 196, 178)),
    ),
    "kab-pasuruan-3": DemoPhoto(
        caption="Berbagi pengalaman penggunaan Sirekap melalui rapat daring (ilustrasi).",
        alt="Layar rapat daring berisi sembilan peserta dan ponsel yang membuka aplikasi Sirekap.",
        draw=_video_call,
        backdrop=((200, 206, 214), (150, 156, 168)),
    ),
    "kab-pasuruan-4": DemoPhoto(
        caption="Kantor KPU Kabupaten Pasuruan, tempat evaluasi Reformasi Birokrasi (ilustrasi).",
        alt="Bangunan kantor berpilar putih dengan papan nama KPU Kabupaten Pasuruan dan bendera.",
        draw=_office,
        backdrop=((110, 170, 230), (210, 232, 250)),  # the sky
    ),
}


def photo_for(external_id: str) -> DemoPhoto | None:
    return PHOTOS.get(external_id)


@functools.cache
def _jpeg(photo: DemoPhoto) -> bytes:
    image = _backdrop(*photo.backdrop)
    photo.draw(image)
    exif = Image.Exif()
    exif[ExifTags.Base.Make], exif[ExifTags.Base.Model] = CAMERA
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88, exif=exif)
    return buffer.getvalue()
