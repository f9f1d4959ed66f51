"""Re-encoding uploaded images: EXIF/GPS stripped, colours made sRGB, size capped, thumbnails made."""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps

try:
    from PIL import ImageCms
except ImportError:  # Pillow built without LittleCMS: colour profiles are dropped, not converted
    ImageCms = None

from charity_site.files.kinds import JPEG, PNG, FileKind, UploadRejected

DEFAULT_IMAGE_MAX_SIDE = 1600
DEFAULT_IMAGE_MAX_PIXELS = 64_000_000  # an 8000 × 8000 photo; beyond that, a decompression bomb
THUMBNAIL_SIDE = 400
JPEG_QUALITY = 85
WEBP_QUALITY = 85


def fit_within(width: int, height: int, max_side: int) -> tuple[int, int]:
    """The size of ``width`` × ``height`` scaled down (never up) so its long side is at most ``max_side``."""
    long_side = max(width, height)
    if long_side <= max_side:
        return width, height
    scale = max_side / long_side
    return max(1, round(width * scale)), max(1, round(height * scale))


def _too_many_pixels(max_pixels: int) -> UploadRejected:
    side = math.isqrt(max_pixels)
    return UploadRejected(
        _("The image has too many pixels to be processed. Please make it smaller (at most about "
          "%(side)s × %(side)s pixels) and upload it again.", side=side),
        code="too_many_pixels",
    )


def _damaged_image() -> UploadRejected:
    return UploadRejected(
        _("The image could not be read. It may be damaged or incomplete; please save it again and upload "
          "it once more."),
        code="damaged",
    )


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert an image carrying an ICC profile (e.g. Display P3 from phones) to plain sRGB."""
    icc = image.info.get("icc_profile")
    if ImageCms is None or not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, target, outputMode=output_mode) or image
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


def _normalise_mode(image: Image.Image, kind: FileKind) -> Image.Image:
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):  # 16-bit greyscale, e.g. some scans
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )
    if has_alpha and kind is not JPEG:
        target = "RGBA"
    elif image.mode in ("1", "L"):
        target = "L"
    else:
        target = "RGB"
    return image if image.mode == target else image.convert(target)


def _encode(image: Image.Image, kind: FileKind) -> bytes:
    image.info = {}  # nothing from the source file (EXIF, XMP, ICC, text chunks) may be written back
    buffer = io.BytesIO()
    if kind is JPEG:
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif kind is PNG:
        image.save(buffer, "PNG", optimize=True)
    else:
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    return buffer.getvalue()


@dataclass(frozen=True)
class ProcessedImage:
    data: bytes
    thumbnail: bytes
    width: int
    height: int


def process_image(data: bytes, kind: FileKind, *, max_side: int, max_pixels: int) -> ProcessedImage:
    """Decode, check, orient, strip and shrink an image; raise UploadRejected when it cannot be used."""
    Image.MAX_IMAGE_PIXELS = max_pixels
    formats = [kind.pillow_format]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=formats) as probe:
                if probe.width * probe.height > max_pixels:
                    raise _too_many_pixels(max_pixels)
                probe.verify()
            with Image.open(io.BytesIO(data), formats=formats) as source:
                if kind is JPEG:
                    source.draft(None, fit_within(source.width, source.height, max_side))
                source.load()
                image = ImageOps.exif_transpose(source)
        image = _normalise_mode(_to_srgb(image), kind)
        size = fit_within(image.width, image.height, max_side)
        if size != image.size:
            image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        thumbnail_size = fit_within(image.width, image.height, THUMBNAIL_SIDE)
        thumbnail = image.resize(thumbnail_size, Image.Resampling.LANCZOS) if thumbnail_size != size else image.copy()
        return ProcessedImage(_encode(image, kind), _encode(thumbnail, kind), image.width, image.height)
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(max_pixels) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, KeyError) as error:
        current_app.logger.info("Refused an image that Pillow could not read: %r", error)
        raise _damaged_image() from None
