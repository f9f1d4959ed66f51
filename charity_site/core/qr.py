"""QR codes: small SVGs for screens and print, PNGs where a phone must long-press or save them.

WeChat's browser recognises (长按识别) and saves (保存图片) a QR code only when it is an <img> of a
PNG or JPEG, so a code meant to be scanned from the phone itself, or kept for later, is a PNG.
"""

from __future__ import annotations

import io
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules of white border the QR standard asks for


@lru_cache(maxsize=1024)
def qr_svg(data: str) -> str:
    """The QR code of ``data`` as an SVG: one path, horizontal runs of dark modules merged."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix) + 2 * QUIET_ZONE
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                length = x - start
                runs.append(f"M{start + QUIET_ZONE},{y + QUIET_ZONE}h{length}v1h-{length}z")
            else:
                x += 1
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size * 6}" height="{size * 6}" '
        f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )


@lru_cache(maxsize=256)
def qr_png(data: str, module_pixels: int = 8) -> bytes:
    """The QR code of ``data`` as a black-on-white PNG with the standard quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, box_size=module_pixels)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()
