"""Pillow (warta.photos) beside pyvips for the same renditions, the measure behind choosing
Pillow. pyvips is not a Warta dependency: run this in a scratch virtualenv that has both, e.g.

    python3 -m venv /tmp/vips && /tmp/vips/bin/pip install -e . pyvips==3.2.0 \\
        pyvips-binary==8.18.7
    VIPS_CONCURRENCY=1 /tmp/vips/bin/python bench/media_pyvips.py

Each library, each photo: a fresh process, three jobs; CPU time per job and the process's peak
memory (VmHWM). pyvips makes one shrink-on-load thumbnail, then the three renditions from it."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from media import LARGE, PHONE, jpeg
from PIL import Image

CHILD = """
import re, sys, time
from warta.photos import SPECS, plan

def pillow(data):
    from warta.photos import make_renditions
    return make_renditions(data)

def vips(data):
    import pyvips
    pyvips.cache_set_max(0)
    src = pyvips.Image.new_from_buffer(data, "", access="sequential")
    width, height = src.width, src.height
    if src.get_typeof("orientation") and src.get("orientation") in (5, 6, 7, 8):
        width, height = height, width
    planned = plan(width, height)
    widest = max(p.width / width if not s.cover else max(p.width / width, p.height / height)
                 for s, p in zip(SPECS, planned))
    base = pyvips.Image.thumbnail_buffer(data, max(1, round(width * widest)),
        height=max(1, round(height * widest)) + 2, size="down", export_profile="srgb")
    if base.hasalpha():
        base = base.flatten(background=[255, 255, 255])
    base = base.copy_memory()
    made = []
    for spec, p in zip(SPECS, planned):
        r = base.thumbnail_image(p.width, height=p.height,
            crop="centre" if spec.cover else "none", size="down").copy_memory()
        made.append(r.webpsave_buffer(Q=80, keep=0))
        made.append(r.jpegsave_buffer(Q=82, optimize_coding=True, interlace=True, keep=0))
    return made

def hwm():
    status = open("/proc/self/status").read()
    return int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) // 1024

job = {"pillow": pillow, "pyvips": vips}[sys.argv[1]]
data = open(sys.argv[2], "rb").read()
started = time.process_time()
for _ in range(3):
    job(data)
print(round((time.process_time() - started) / 3 * 1000), hwm())
"""


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="warta-bench-vips-"))
    png = io.BytesIO()
    Image.merge("RGB", [Image.linear_gradient("L").resize((5000, 5000))] * 3).save(png, "PNG")
    photos = {"12 MP JPEG": jpeg(PHONE), "50 MP JPEG": jpeg(LARGE), "25 MP PNG": png.getvalue()}
    print("renditions of one photo (6 files): CPU ms per job, peak RSS of the process")
    for label, data in photos.items():
        path = tmp / re.sub(r"\W", "", label)
        path.write_bytes(data)
        for library in ("pillow", "pyvips"):
            out = subprocess.run(
                [sys.executable, "-c", CHILD, library, str(path)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            print(f"  {label:<11} {library:<7} {out[0]:>6} ms CPU   peak {out[1]:>4} MB")


if __name__ == "__main__":
    main()
