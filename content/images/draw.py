"""Draw the demo cover illustrations in this folder: calm flat scenes in the site's palette.

    .venv/bin/python content/images/draw.py [name ...]

Each scene is drawn at twice the size and scaled down (smooth edges), then saved as WebP
(1200 × 675, 16:9 like the card covers). No text and no faces: simple figures, buildings, trees,
hearts and books, so the set reads as one family next to the red and green of the site.
The content files name these images in their ``cover`` field; the loader stores them like uploads.
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT, SCALE = 1200, 675, 2
HERE = Path(__file__).resolve().parent

# The site's tokens (static/css/site.css) and a few calm companions.
PAPER = "#f6f4f0"
SHADE = "#efece6"
LINE = "#d9d4cc"
INK = "#1d2733"
INK_SOFT = "#4a5563"
RED = "#9f1d24"
RED_DARK = "#7c141a"
RED_MID = "#c0575c"
RED_SOFT = "#f3e6e6"
RED_PALE = "#e8c3c0"
GREEN = "#1f6f5c"
GREEN_MID = "#4f9580"
GREEN_LIGHT = "#9cc7b6"
GREEN_SOFT = "#dcefe8"
GOLD = "#e3aa48"
GOLD_SOFT = "#f4dcaa"
SAND = "#e9dfd0"
TAN = "#d6c2a4"
WOOD = "#b98c60"
SKY = "#e7eef0"
BLUE = "#5d7f99"
BLUE_SOFT = "#c9d8e2"
NIGHT = "#2b3a4f"
NIGHT_MID = "#3d5068"
SKIN = "#e9c6a6"
SKIN_DARK = "#d3a884"
HAIR = "#3a3230"
GREY_HAIR = "#c9c4bd"
WHITE = "#ffffff"


def rgb(colour: str, alpha: int = 255) -> tuple[int, int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16), alpha


def mix(a: str, b: str, t: float) -> str:
    ra, rb = rgb(a), rgb(b)
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ra[:3], rb[:3], strict=True))


class Canvas:
    """Drawing in 1200 × 675 coordinates on a canvas twice that size."""

    def __init__(self, top: str, bottom: str):
        self.image = Image.new("RGBA", (WIDTH * SCALE, HEIGHT * SCALE), rgb(top))
        self.draw = ImageDraw.Draw(self.image)
        for y in range(HEIGHT * SCALE):
            self.draw.line([(0, y), (WIDTH * SCALE, y)], fill=rgb(mix(top, bottom, y / (HEIGHT * SCALE))))

    @staticmethod
    def s(value: float) -> int:
        return round(value * SCALE)

    def box(self, x0, y0, x1, y1):
        return [self.s(x0), self.s(y0), self.s(x1), self.s(y1)]

    def rect(self, x0, y0, x1, y1, fill, radius=0, alpha=255):
        target = self._layer(alpha)
        target.rounded_rectangle(self.box(x0, y0, x1, y1), radius=self.s(radius), fill=rgb(fill, alpha))
        self._flush(alpha)

    def ellipse(self, cx, cy, rx, ry, fill, alpha=255):
        target = self._layer(alpha)
        target.ellipse(self.box(cx - rx, cy - ry, cx + rx, cy + ry), fill=rgb(fill, alpha))
        self._flush(alpha)

    def circle(self, cx, cy, r, fill, alpha=255):
        self.ellipse(cx, cy, r, r, fill, alpha)

    def poly(self, points, fill, alpha=255):
        target = self._layer(alpha)
        target.polygon([(self.s(x), self.s(y)) for x, y in points], fill=rgb(fill, alpha))
        self._flush(alpha)

    def line(self, points, fill, width, alpha=255):
        target = self._layer(alpha)
        target.line([(self.s(x), self.s(y)) for x, y in points], fill=rgb(fill, alpha), width=self.s(width),
                     joint="curve")
        for x, y in (points[0], points[-1]):
            r = width / 2
            target.ellipse(self.box(x - r, y - r, x + r, y + r), fill=rgb(fill, alpha))
        self._flush(alpha)

    def shadow(self, cx, cy, rx, ry, strength=60, blur=10):
        layer = Image.new("RGBA", self.image.size, (0, 0, 0, 0))
        ImageDraw.Draw(layer).ellipse(self.box(cx - rx, cy - ry, cx + rx, cy + ry), fill=rgb(INK, strength))
        layer = layer.filter(ImageFilter.GaussianBlur(self.s(blur)))
        self.image.alpha_composite(layer)

    def soft_box_shadow(self, x0, y0, x1, y1, radius=8, strength=45, blur=14, offset=8):
        layer = Image.new("RGBA", self.image.size, (0, 0, 0, 0))
        ImageDraw.Draw(layer).rounded_rectangle(self.box(x0, y0 + offset, x1, y1 + offset), radius=self.s(radius),
                                                fill=rgb(INK, strength))
        layer = layer.filter(ImageFilter.GaussianBlur(self.s(blur)))
        self.image.alpha_composite(layer)

    # Translucent shapes go through a layer so they blend instead of replacing pixels.
    def _layer(self, alpha):
        if alpha >= 255:
            return self.draw
        self._pending = Image.new("RGBA", self.image.size, (0, 0, 0, 0))
        return ImageDraw.Draw(self._pending)

    def _flush(self, alpha):
        if alpha < 255:
            self.image.alpha_composite(self._pending)
            self._pending = None

    def save(self, name: str) -> Path:
        small = self.image.convert("RGB").resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
        path = HERE / f"{name}.webp"
        small.save(path, "WEBP", quality=80, method=6)
        return path


# --- shapes ------------------------------------------------------------------------------------


def hills(c: Canvas, base, amplitude, colour, phase=0.0, waves=1.3, alpha=255):
    points = [(0, HEIGHT)]
    for i in range(0, 61):
        x = WIDTH * i / 60
        points.append((x, base - amplitude * (0.55 + 0.45 * math.sin(phase + waves * math.pi * i / 60 * 2))))
    points.append((WIDTH, HEIGHT))
    c.poly(points, colour, alpha)


def ground(c: Canvas, y, colour):
    c.rect(0, y, WIDTH, HEIGHT, colour)


def cloud(c: Canvas, cx, cy, size, colour=WHITE, alpha=200):
    for dx, dy, r in ((-0.9, 0.15, 0.45), (-0.3, -0.2, 0.6), (0.35, -0.05, 0.5), (0.9, 0.2, 0.38)):
        c.circle(cx + dx * size, cy + dy * size, r * size, colour, alpha)
    c.rect(cx - 1.2 * size, cy + 0.05 * size, cx + 1.25 * size, cy + 0.58 * size, colour, radius=0.26 * size,
           alpha=alpha)


def heart(c: Canvas, cx, cy, size, colour, alpha=255):
    points = []
    for i in range(80):
        t = 2 * math.pi * i / 80
        x = 16 * math.sin(t) ** 3
        y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        points.append((cx + x * size / 32, cy - y * size / 32))
    c.poly(points, colour, alpha)


def tree(c: Canvas, x, ground_y, size, crown=GREEN_MID, trunk=WOOD, kind="round"):
    c.shadow(x, ground_y, size * 0.45, size * 0.07, strength=40, blur=4)
    c.rect(x - size * 0.05, ground_y - size * 0.55, x + size * 0.05, ground_y, trunk, radius=size * 0.03)
    if kind == "round":
        c.circle(x, ground_y - size * 0.8, size * 0.38, crown)
        c.circle(x - size * 0.12, ground_y - size * 0.9, size * 0.18, mix(crown, WHITE, 0.15))
    elif kind == "pine":
        for i, w in enumerate((0.42, 0.34, 0.25)):
            top = ground_y - size * (0.75 + 0.28 * i)
            c.poly([(x - size * w, top + size * 0.42), (x, top - size * 0.12), (x + size * w, top + size * 0.42)],
                   mix(crown, WHITE, 0.07 * i))
    else:  # banyan: a wide layered crown
        c.ellipse(x, ground_y - size * 0.78, size * 0.62, size * 0.3, crown)
        c.ellipse(x - size * 0.25, ground_y - size * 0.95, size * 0.35, size * 0.22, mix(crown, WHITE, 0.12))
        c.ellipse(x + size * 0.28, ground_y - size * 0.9, size * 0.32, size * 0.2, mix(crown, WHITE, 0.06))
        for dx in (-0.32, 0.3):
            c.rect(x + dx * size - 2, ground_y - size * 0.6, x + dx * size + 2, ground_y - size * 0.18, trunk)


def bush(c: Canvas, x, ground_y, size, colour=GREEN_LIGHT):
    for dx, r in ((-0.5, 0.45), (0.0, 0.62), (0.5, 0.45)):
        c.circle(x + dx * size, ground_y - r * size * 0.8, r * size, colour)
    c.rect(x - size, ground_y - size * 0.4, x + size, ground_y, colour)


def person(c: Canvas, x, feet_y, height, shirt, trousers=INK_SOFT, hair=HAIR, skin=SKIN, *, arm="down",
           vest=None, cane=False, bag=None, facing=1, seated=False):
    """A simple figure: round head, rounded body, no face. ``height`` from feet to the top of the head."""
    h = height
    head_r = h * 0.095
    head_y = feet_y - h + head_r
    shoulder_y = head_y + head_r * 1.55
    hip_y = feet_y - h * 0.42
    half = h * 0.13
    c.shadow(x, feet_y, h * 0.2, h * 0.03, strength=45, blur=3)
    if seated:
        knee_x = x + facing * h * 0.2
        c.line([(x, hip_y), (knee_x, hip_y), (knee_x, feet_y - h * 0.02)], trousers, h * 0.09)
    else:
        for dx in (-0.045, 0.045):
            c.line([(x + dx * h, hip_y), (x + dx * h, feet_y - h * 0.03)], trousers, h * 0.085)
            c.ellipse(x + dx * h + facing * h * 0.015, feet_y - h * 0.02, h * 0.045, h * 0.022, INK)
    c.rect(x - half, shoulder_y - h * 0.02, x + half, hip_y + h * 0.03, shirt, radius=h * 0.07)
    if vest:
        c.rect(x - half, shoulder_y + h * 0.03, x + half, hip_y + h * 0.03, vest, radius=h * 0.05)
        c.rect(x - h * 0.018, shoulder_y + h * 0.03, x + h * 0.018, hip_y + h * 0.03, shirt)
    arm_w = h * 0.065
    if arm == "down":
        for side in (-1, 1):
            c.line([(x + side * half * 0.92, shoulder_y + h * 0.03), (x + side * half * 1.08, hip_y)], shirt, arm_w)
    elif arm == "wave":
        c.line([(x - half * 0.92, shoulder_y + h * 0.03), (x - half * 1.08, hip_y)], shirt, arm_w)
        c.line([(x + half * 0.92, shoulder_y + h * 0.03), (x + half * 1.6, shoulder_y - h * 0.16)], shirt, arm_w)
        c.circle(x + half * 1.6, shoulder_y - h * 0.18, arm_w * 0.6, skin)
    elif arm == "forward":
        c.line([(x - facing * half * 0.9, shoulder_y + h * 0.03), (x - facing * half * 1.05, hip_y)], shirt, arm_w)
        c.line([(x + facing * half * 0.9, shoulder_y + h * 0.04), (x + facing * half * 2.0, shoulder_y + h * 0.12)],
               shirt, arm_w)
        c.circle(x + facing * half * 2.05, shoulder_y + h * 0.12, arm_w * 0.6, skin)
    c.rect(x - h * 0.03, head_y + head_r * 0.7, x + h * 0.03, shoulder_y + h * 0.01, skin)
    c.circle(x, head_y, head_r, skin)
    # hair: a cap over the top and back of the head
    c.ellipse(x - facing * head_r * 0.12, head_y - head_r * 0.3, head_r * 1.02, head_r * 0.78, hair)
    c.circle(x + facing * head_r * 0.22, head_y + head_r * 0.2, head_r * 0.72, skin)
    if bag:
        c.rect(x - facing * half * 1.3, hip_y - h * 0.12, x - facing * half * 0.4, hip_y + h * 0.02, bag,
               radius=h * 0.02)
    if cane:
        c.line([(x + facing * half * 1.25, hip_y), (x + facing * half * 1.5, feet_y)], WOOD, h * 0.022)


def child(c: Canvas, x, feet_y, height, shirt, **kwargs):
    person(c, x, feet_y, height, shirt, **kwargs)


def house(c: Canvas, x0, ground_y, w, h, wall=WHITE, roof=RED, door=WOOD, windows=1, roof_kind="gable"):
    c.soft_box_shadow(x0, ground_y - h, x0 + w, ground_y, radius=2, strength=35, blur=8, offset=4)
    c.rect(x0, ground_y - h, x0 + w, ground_y, wall)
    if roof_kind == "gable":
        c.poly([(x0 - w * 0.08, ground_y - h), (x0 + w / 2, ground_y - h - w * 0.42), (x0 + w * 1.08, ground_y - h)],
               roof)
    else:  # a flat Lingnan roof line with raised ends
        c.rect(x0 - w * 0.06, ground_y - h - w * 0.07, x0 + w * 1.06, ground_y - h + w * 0.02, roof, radius=2)
        for end in (x0 - w * 0.06, x0 + w * 1.06 - w * 0.1):
            c.rect(end, ground_y - h - w * 0.14, end + w * 0.1, ground_y - h, roof, radius=3)
    c.rect(x0 + w * 0.4, ground_y - h * 0.45, x0 + w * 0.6, ground_y, door, radius=2)
    for i in range(windows):
        wx = x0 + w * (0.12 if i == 0 else 0.7)
        c.rect(wx, ground_y - h * 0.72, wx + w * 0.18, ground_y - h * 0.45, BLUE_SOFT, radius=2)


def building(c: Canvas, x0, ground_y, w, h, colour, window=WHITE, rows=None, cols=None, lit=None, radius=3):
    c.rect(x0, ground_y - h, x0 + w, ground_y, colour, radius=radius)
    cols = cols or max(2, int(w // 34))
    rows = rows or max(2, int(h // 40))
    gap_x = w / cols
    gap_y = (h - 20) / rows
    rng = random.Random(int(x0 * 7 + h))
    for r in range(rows):
        for col in range(cols):
            wx = x0 + gap_x * col + gap_x * 0.28
            wy = ground_y - h + 14 + gap_y * r
            fill = window
            if lit and rng.random() < lit[1]:
                fill = lit[0]
            c.rect(wx, wy, wx + gap_x * 0.44, wy + gap_y * 0.5, fill, radius=2)


def book(c: Canvas, x0, y1, w, h, colour, page=WHITE):
    c.rect(x0, y1 - h, x0 + w, y1, colour, radius=3)
    c.rect(x0 + 4, y1 - h + 4, x0 + w - 3, y1 - h * 0.35, page, radius=2, alpha=90)


def text_lines(c: Canvas, x0, y0, width, count, colour=LINE, gap=16, thickness=6):
    for i in range(count):
        w = width * (0.6 if i == count - 1 else 1.0)
        c.rect(x0, y0 + i * gap, x0 + w, y0 + i * gap + thickness, colour, radius=thickness / 2)


def sun(c: Canvas, cx, cy, r, colour=GOLD_SOFT):
    c.circle(cx, cy, r * 1.5, colour, alpha=70)
    c.circle(cx, cy, r, colour)


# --- scenes: one per cover ------------------------------------------------------------------------


def service_hub():
    """cishan-fuwu-zhendi: a community charity centre being built — crane, scaffold, a red heart sign."""
    c = Canvas("#f3ebe1", "#f8f4ee")
    sun(c, 980, 140, 60)
    cloud(c, 260, 130, 50)
    hills(c, 470, 70, "#e6dccd", phase=1.0)
    ground(c, 540, "#e3d6c3")
    building(c, 140, 540, 150, 230, "#ddd2c3", window="#f2ece3", cols=3)
    # the new building, half clad, half scaffold
    c.soft_box_shadow(380, 250, 800, 540)
    c.rect(380, 250, 800, 540, WHITE, radius=4)
    c.rect(380, 250, 800, 290, RED, radius=4)
    c.rect(380, 280, 800, 290, RED)
    heart(c, 590, 370, 70, RED)
    c.rect(540, 440, 640, 540, RED_SOFT, radius=4)
    c.rect(587, 440, 593, 540, RED_PALE)
    for wx in (415, 690):
        c.rect(wx, 330, wx + 75, 390, BLUE_SOFT, radius=3)
        c.rect(wx, 420, wx + 75, 480, BLUE_SOFT, radius=3)
    for sx in (800, 850, 900):
        c.rect(sx, 300, sx + 6, 540, WOOD)
    for sy in (300, 380, 460):
        c.rect(800, sy, 906, sy + 7, WOOD)
    # crane
    c.rect(960, 120, 978, 540, GOLD)
    c.rect(700, 110, 1100, 128, GOLD)
    c.poly([(960, 110), (969, 70), (978, 110)], GOLD)
    c.line([(969, 74), (720, 112)], INK_SOFT, 2)
    c.line([(969, 74), (1090, 112)], INK_SOFT, 2)
    c.line([(760, 128), (760, 220)], INK_SOFT, 2)
    c.rect(735, 220, 785, 250, TAN, radius=3)
    c.rect(1050, 128, 1100, 168, INK_SOFT, radius=3)
    person(c, 300, 640, 190, WHITE, vest=GOLD, arm="forward", facing=1)
    person(c, 700, 650, 180, BLUE_SOFT, vest=RED_MID, arm="wave")
    person(c, 770, 655, 120, GOLD, arm="down")
    bush(c, 120, 570, 45)
    bush(c, 1100, 570, 50, GREEN_MID)
    return c


def charity_walk():
    """cishan-jiankangxing-11: a charity walk through a forest park, small flags and a market stall."""
    c = Canvas("#e9f0ec", "#f7f4ee")
    sun(c, 960, 130, 55)
    cloud(c, 300, 120, 45)
    hills(c, 330, 90, "#c8ddd3", phase=0.3, waves=1.1)
    hills(c, 400, 70, "#a9cbbd", phase=2.0, waves=1.6)
    ground(c, 430, "#cfe3d8")
    # winding path
    c.poly([(520, 430), (640, 430), (900, 675), (260, 675)], "#efe6d6")
    for x, y, s in ((80, 470, 150), (200, 450, 120), (1040, 470, 160), (1150, 450, 120), (720, 440, 90),
                    (430, 445, 85)):
        tree(c, x, y, s, kind="pine" if x % 3 else "round", crown=GREEN_MID if x % 2 else GREEN)
    # bunting
    for i in range(9):
        x = 330 + i * 62
        y = 300 + 16 * math.sin(i / 8 * math.pi)
        c.poly([(x, y), (x + 40, y + 4), (x + 18, y + 34)], RED if i % 2 else GOLD)
    c.line([(320, 298), (330 + 8 * 62 + 40, 302)], INK_SOFT, 2)
    # stall
    c.rect(930, 520, 1120, 600, WHITE, radius=4)
    for i in range(5):
        c.rect(920 + i * 42, 490, 920 + i * 42 + 42, 525, RED if i % 2 == 0 else WHITE, radius=3)
    heart(c, 1025, 562, 38, RED)
    walkers = [(470, 620, 150, RED, "wave"), (560, 560, 125, GREEN, "down"), (640, 520, 105, GOLD, "down"),
               (390, 660, 160, BLUE, "forward")]
    for x, y, h, shirt, arm in walkers:
        person(c, x, y, h, shirt, arm=arm, bag=TAN if shirt == GREEN else None)
    person(c, 700, 500, 90, RED_MID, hair=GREY_HAIR, cane=True)
    return c


def insurance_aid():
    """cishan-jiuzhu: a large umbrella sheltering a family home — charity plus insurance."""
    c = Canvas("#e8edf0", "#f6f3ee")
    for x, y in ((150, 120), (1020, 170), (420, 90)):
        cloud(c, x, y, 40, alpha=220)
    # gentle rain lines
    rng = random.Random(3)
    for _ in range(60):
        x, y = rng.uniform(0, WIDTH), rng.uniform(0, 420)
        if not 330 < x < 870:
            c.line([(x, y), (x - 6, y + 22)], BLUE_SOFT, 3)
    ground(c, 560, "#e4dccd")
    hills(c, 560, 40, "#d9e4dd", phase=1.5)
    ground(c, 585, "#e6dccb")
    # umbrella
    c.shadow(600, 585, 300, 18, strength=50, blur=8)
    c.line([(600, 180), (600, 470)], INK_SOFT, 8)
    canopy = [(600 + 300 * math.cos(a), 300 - 200 * math.sin(a)) for a in [math.pi * i / 40 for i in range(41)]]
    c.poly(canopy + [(300, 300)], RED)
    for i in range(6):
        x0 = 300 + i * 100
        c.ellipse(x0 + 50, 300, 50, 18, "#e7eef0" if i % 2 else mix("#e7eef0", "#ede9e2", 0.5))
    for i in (1, 3, 5):
        a = math.pi * (1 - i / 6)
        c.poly([(600, 100), (600 + 300 * math.cos(a) - 6, 300), (600 + 300 * math.cos(a) + 6, 300)], RED_DARK,
               alpha=70)
    c.circle(600, 100, 10, RED_DARK)
    # house under it with the family
    house(c, 470, 585, 170, 140, wall=WHITE, roof=GREEN, windows=2)
    person(c, 700, 590, 140, GREEN_LIGHT, arm="down")
    person(c, 760, 590, 95, GOLD, arm="wave")
    person(c, 420, 592, 130, BLUE, hair=GREY_HAIR, cane=True, facing=-1)
    heart(c, 555, 380, 40, RED_MID)
    heart(c, 700, 410, 28, RED_PALE)
    return c


def night_care():
    """fuliyuan-zhinenghua: the children's home at night, warm windows, a quiet shield of care."""
    c = Canvas("#2b3a4f", "#4b5f78")
    rng = random.Random(7)
    for _ in range(50):
        c.circle(rng.uniform(0, WIDTH), rng.uniform(0, 300), rng.uniform(1.2, 2.6), "#f4ecd8", alpha=180)
    c.circle(1000, 120, 46, "#f4e3b5")
    c.circle(1020, 106, 42, mix("#2b3a4f", "#4b5f78", 0.12))
    hills(c, 470, 60, "#3d5068", phase=0.8)
    ground(c, 520, "#34465c")
    building(c, 300, 520, 600, 250, "#e9e1d3", window="#6d7f94", cols=8, rows=3, lit=("#f7d58a", 0.45), radius=6)
    c.rect(280, 255, 920, 275, RED, radius=6)
    c.rect(560, 420, 640, 520, RED_SOFT, radius=4)
    # a soft glow from the door lamp
    c.circle(600, 400, 34, GOLD_SOFT, alpha=70)
    c.circle(600, 400, 9, GOLD_SOFT)
    # shield with heart: watching over
    c.circle(600, 160, 78, "#f3e6e6", alpha=40)
    c.poly([(550, 115), (600, 100), (650, 115), (650, 165), (600, 210), (550, 165)], "#f3e6e6")
    heart(c, 600, 150, 50, RED)
    for x in (140, 1060, 200, 1000):
        tree(c, x, 540 if x in (140, 1060) else 525, 150 if x in (140, 1060) else 110, crown="#2f5e54", trunk="#5c4a3a")
    c.rect(0, 580, WIDTH, HEIGHT, "#2f4055")
    c.poly([(560, 520), (640, 520), (700, HEIGHT), (500, HEIGHT)], "#3a4c62")
    return c


def exchange_meeting(variant=0):
    """shequ-cishan-jiaoliuhui-2024 / news: an exchange meeting — stage, screen with a chart, audience seen from behind."""
    c = Canvas("#efe7dc", "#f6f1ea")
    c.rect(0, 0, WIDTH, 90, "#e4d8c6")
    c.rect(0, 84, WIDTH, 92, RED)
    # screen
    c.soft_box_shadow(300, 120, 900, 420)
    c.rect(300, 120, 900, 420, WHITE, radius=8)
    if variant == 0:
        for i, (h, col) in enumerate(((90, GREEN_LIGHT), (140, GREEN_MID), (120, GREEN_LIGHT), (200, RED),
                                      (170, GREEN_MID))):
            c.rect(380 + i * 90, 380 - h, 440 + i * 90, 380, col, radius=4)
        c.rect(350, 380, 850, 386, LINE)
    else:
        heart(c, 480, 260, 120, RED)
        text_lines(c, 600, 200, 220, 5, colour=LINE, gap=30, thickness=12)
    # stage and lectern
    c.rect(0, 440, WIDTH, 470, "#d7c6ae")
    c.rect(940, 330, 1020, 450, WOOD, radius=4)
    c.rect(930, 320, 1030, 340, "#a37650", radius=3)
    person(c, 985, 350, 120, INK_SOFT, arm="forward", facing=-1)
    c.rect(940, 330, 1020, 450, WOOD, radius=4)
    heart(c, 980, 385, 30, RED_SOFT)
    c.rect(90, 300, 240, 450, "#cfe1d8", radius=6)
    for x in (120, 170, 210):
        c.line([(x, 300), (x, 450)], WHITE, 3, alpha=120)
    # audience rows, seen from behind
    colours = [RED, GREEN, BLUE, GOLD, INK_SOFT, RED_MID, GREEN_MID, TAN]
    rng = random.Random(11 + variant)
    for row, (y, r, n) in enumerate(((520, 30, 11), (600, 36, 9), (690, 44, 8))):
        for i in range(n):
            x = (i + 0.5) * WIDTH / n + (row % 2) * 30 - 15
            shirt = mix(colours[rng.randrange(len(colours))], PAPER, 0.3)
            c.rect(x - r * 1.25, y, x + r * 1.25, y + r * 3, shirt, radius=r * 0.9)
            c.circle(x, y - r * 0.55, r * 0.78, rng.choice((HAIR, HAIR, GREY_HAIR, "#5a4638")))
    return c


def village_fund():
    """shequ-cishan-jijin: Lingnan village houses under a banyan, a donation jar with a heart."""
    c = Canvas("#f1ebe1", "#f7f4ee")
    sun(c, 200, 130, 50)
    cloud(c, 880, 110, 48)
    hills(c, 400, 80, "#d7e4dc", phase=2.4, waves=1.0)
    ground(c, 480, "#e7dccb")
    c.rect(0, 470, WIDTH, 490, "#cfe0d6")
    for i, x in enumerate((90, 330, 560)):
        house(c, x, 480, 180, 130, wall="#f4efe6" if i != 1 else WHITE, roof="#6d7c8a", roof_kind="lingnan",
              door=RED if i == 1 else WOOD, windows=2)
    tree(c, 960, 560, 340, crown=GREEN, kind="banyan")
    c.rect(0, 520, WIDTH, HEIGHT, "#efe6d7")
    # a stone table under the banyan with the jar
    c.rect(800, 560, 940, 578, "#bdb3a6", radius=6)
    c.rect(855, 578, 885, 620, "#bdb3a6")
    c.soft_box_shadow(830, 470, 910, 560, radius=14, strength=35, blur=6, offset=4)
    c.rect(830, 470, 910, 560, "#e3eef0", radius=16)
    c.rect(840, 460, 900, 478, "#c8d5da", radius=5)
    for i, (x, y) in enumerate(((850, 540), (872, 536), (893, 542), (862, 520), (884, 518))):
        c.circle(x, y, 11, GOLD if i % 2 else "#d79a3a")
    heart(c, 870, 493, 30, RED)
    person(c, 720, 650, 200, GREEN_LIGHT, hair=GREY_HAIR, arm="forward", facing=1)
    person(c, 1010, 655, 140, RED_MID, arm="wave")
    person(c, 1100, 660, 210, BLUE, arm="down", facing=-1)
    bush(c, 60, 540, 50, GREEN_MID)
    bush(c, 500, 540, 40)
    return c


def seedlings():
    """sichuan-fuhua-peiyu-2023: incubating young organisations — seedlings in pots, a watering can, mountains."""
    c = Canvas("#e9eff0", "#f6f3ee")
    sun(c, 1000, 130, 55)
    hills(c, 360, 140, "#cbd9de", phase=0.5, waves=1.8)
    hills(c, 400, 90, "#b5cdc4", phase=2.5, waves=1.4)
    ground(c, 440, "#ebe1d1")
    c.soft_box_shadow(120, 440, 1080, 560, radius=10, strength=30)
    c.rect(120, 440, 1080, 560, "#d8c2a2", radius=10)
    c.rect(120, 440, 1080, 458, "#c8ae88", radius=8)
    pots = [(220, 0.6), (360, 0.85), (500, 1.1), (640, 1.3), (780, 1.0), (920, 0.75)]
    for x, grow in pots:
        stem_top = 430 - 150 * grow
        c.line([(x, 430), (x, stem_top)], GREEN, 8)
        for k in range(int(grow * 3)):
            y = 420 - k * 45
            if y < stem_top + 10:
                break
            side = 1 if k % 2 else -1
            c.ellipse(x + side * 28, y - 5, 30, 13, GREEN_MID if k % 2 else GREEN_LIGHT)
        c.ellipse(x - 20, stem_top + 5, 26, 12, GREEN_LIGHT)
        c.ellipse(x + 20, stem_top + 2, 26, 12, GREEN_MID)
        if grow > 1.2:
            heart(c, x, stem_top - 22, 34, RED)
        c.poly([(x - 55, 420), (x + 55, 420), (x + 42, 500), (x - 42, 500)], RED_MID if x == 640 else "#c9825a")
        c.rect(x - 60, 412, x + 60, 430, RED if x == 640 else "#b06d48", radius=4)
    # watering can
    c.rect(1000, 600, 1110, 660, BLUE, radius=14)
    c.line([(1000, 615), (950, 580)], BLUE, 12)
    c.line([(1030, 600), (1040, 570), (1080, 570), (1090, 600)], BLUE, 8)
    person(c, 100, 660, 170, GREEN_LIGHT, arm="forward")
    return c


def home_visit():
    """teshu-jisheng-jiating: a social worker visits an older couple at home — a warm lamp, tea, a heart."""
    c = Canvas("#f3e9dd", "#f7f1e8")
    c.rect(0, 470, WIDTH, HEIGHT, "#e2d3bd")
    c.rect(0, 465, WIDTH, 475, "#d5c2a6")
    # window with a plant
    c.rect(130, 110, 400, 330, WHITE, radius=8)
    c.rect(145, 125, 385, 315, "#dbe8ea", radius=4)
    c.rect(262, 125, 268, 315, WHITE)
    c.rect(145, 260, 385, 315, "#c6ddd3", radius=4)
    # picture frame with a heart
    c.rect(560, 130, 700, 240, WOOD, radius=6)
    c.rect(572, 142, 688, 228, RED_SOFT, radius=3)
    heart(c, 630, 187, 50, RED_MID)
    # lamp
    c.line([(1010, 470), (1010, 250)], INK_SOFT, 6)
    c.circle(1010, 260, 110, GOLD_SOFT, alpha=70)
    c.poly([(960, 260), (1060, 260), (1040, 200), (980, 200)], GOLD)
    # sofa
    c.rect(380, 380, 800, 540, RED_MID, radius=30)
    c.rect(400, 330, 780, 440, RED, radius=26)
    person(c, 500, 560, 200, GREEN_LIGHT, hair=GREY_HAIR, seated=True, facing=1)
    person(c, 640, 560, 190, "#c8d5da", hair=GREY_HAIR, seated=True, facing=1)
    c.rect(370, 450, 810, 560, RED_MID, radius=24)
    # table with tea
    c.rect(830, 480, 990, 496, WOOD, radius=4)
    c.rect(845, 496, 857, 580, WOOD)
    c.rect(963, 496, 975, 580, WOOD)
    c.ellipse(880, 472, 22, 10, WHITE)
    c.rect(862, 452, 898, 474, WHITE, radius=6)
    c.ellipse(940, 474, 18, 8, WHITE)
    # the visiting social worker, in a red vest, with a folder
    person(c, 1110, 640, 230, WHITE, vest=RED, arm="forward", facing=-1)
    c.rect(1040, 470, 1075, 515, GREEN, radius=4)
    return c


def special_classroom():
    """zhumeng-weilai-teji: a bright special-education classroom — blackboard, blocks, books, children."""
    c = Canvas("#eef2ee", "#f7f4ee")
    c.rect(0, 500, WIDTH, HEIGHT, "#e3d4bd")
    c.rect(0, 495, WIDTH, 503, "#d2bf9f")
    c.soft_box_shadow(250, 90, 830, 380)
    c.rect(250, 90, 830, 380, "#2f5e54", radius=8)
    c.rect(262, 102, 818, 368, "#33695d", radius=4)
    # chalk drawings: sun, house, heart
    c.circle(340, 170, 30, "#f4ecd8", alpha=200)
    c.poly([(430, 300), (500, 240), (570, 300)], "#f4ecd8", alpha=200)
    c.rect(445, 300, 555, 350, "#f4ecd8", alpha=200)
    heart(c, 690, 220, 80, "#f3c9c6", alpha=220)
    c.rect(250, 380, 830, 392, WOOD, radius=3)
    # bookshelf
    c.rect(900, 180, 1120, 500, WOOD, radius=6)
    for shelf_y in (270, 370, 470):
        c.rect(912, shelf_y - 80, 1108, shelf_y, "#f4ead9", radius=3)
        x = 920
        for i, (w, h) in enumerate(((22, 70), (18, 62), (26, 74), (20, 58), (24, 68), (18, 64), (22, 72))):
            book(c, x, shelf_y, w, h, (RED, GREEN, GOLD, BLUE, RED_MID, GREEN_MID, TAN)[(i + shelf_y // 100) % 7])
            x += w + 4
    # a low table with building blocks
    c.rect(90, 520, 470, 542, "#c9a47a", radius=6)
    for x in (110, 440):
        c.rect(x, 542, x + 16, 620, "#c9a47a")
    for x, y, col in ((150, 490, RED), (200, 490, GOLD), (175, 460, GREEN), (330, 490, BLUE), (380, 495, RED_MID)):
        c.rect(x, y, x + 40, y + 30, col, radius=5)
    book(c, 260, 518, 60, 16, GREEN)
    person(c, 200, 660, 130, GOLD, arm="forward", facing=1)
    person(c, 380, 660, 140, GREEN_LIGHT, arm="wave", hair="#4a3b35")
    person(c, 620, 650, 230, WHITE, vest=RED, arm="forward", facing=-1)
    person(c, 780, 665, 120, RED_MID, arm="down")
    return c


def published_report():
    """gongshi-2024-q4-baogao: a disclosure report pinned up — charts, a stamp-like heart, a magnifier."""
    c = Canvas("#f1eae0", "#f7f3ed")
    c.rect(0, 560, WIDTH, HEIGHT, "#e5d8c5")
    # notice board
    c.soft_box_shadow(170, 80, 1030, 560)
    c.rect(170, 80, 1030, 560, "#caa87f", radius=12)
    c.rect(190, 100, 1010, 540, "#e9dcc6", radius=8)
    c.rect(160, 60, 1040, 90, RED, radius=8)
    # report sheets
    c.soft_box_shadow(240, 140, 520, 510, strength=30, blur=8, offset=4)
    c.rect(240, 140, 520, 510, WHITE, radius=4)
    c.rect(270, 170, 420, 186, RED, radius=5)
    text_lines(c, 270, 210, 220, 4, gap=22, thickness=8)
    for i, h in enumerate((60, 95, 75, 130)):
        c.rect(285 + i * 55, 470 - h, 320 + i * 55, 470, GREEN_MID if i < 3 else RED, radius=3)
    c.soft_box_shadow(570, 150, 960, 500, strength=30, blur=8, offset=4)
    c.rect(570, 150, 960, 500, WHITE, radius=4)
    c.rect(600, 180, 760, 196, GREEN, radius=5)
    # a pie chart
    box = c.box(610, 240, 790, 420)
    c.draw.pieslice(box, 0, 360, fill=rgb(GREEN_LIGHT))
    c.draw.pieslice(box, -90, 60, fill=rgb(GREEN))
    c.draw.pieslice(box, 60, 130, fill=rgb(GOLD))
    text_lines(c, 820, 260, 110, 6, gap=26, thickness=8)
    for x, y in ((380, 135), (765, 145)):
        c.circle(x, y, 10, RED_DARK)
    # magnifier
    c.line([(930, 520), (1010, 600)], INK_SOFT, 20)
    c.circle(880, 470, 72, INK_SOFT)
    c.circle(880, 470, 56, "#eef3f2")
    heart(c, 880, 470, 48, RED)
    person(c, 110, 650, 210, GREEN_LIGHT, arm="down", facing=1)
    return c


def volunteers():
    """guangzhou-shegong-zhiyuan-shinian: a row of volunteers in red vests before the city skyline."""
    c = Canvas("#f3e8e3", "#f8f3ee")
    sun(c, 220, 150, 60)
    cloud(c, 960, 120, 50)
    # skyline with a slim tower
    for x, w, h in ((40, 110, 200), (160, 90, 260), (260, 130, 180), (410, 100, 240), (720, 120, 210),
                    (850, 90, 280), (950, 140, 190), (1100, 90, 230)):
        building(c, x, 470, w, h, "#e6d9cf", window="#f3ece6")
    c.poly([(585, 470), (600, 120), (615, 470)], "#d9c6bb")
    c.poly([(590, 260), (610, 260), (605, 300), (595, 300)], "#cdb7ab")
    c.line([(600, 120), (600, 70)], "#d9c6bb", 4)
    ground(c, 470, "#e8ddd0")
    c.rect(0, 470, WIDTH, 480, "#d8e7de")
    hearts = [(330, 240, 40), (880, 250, 34), (700, 180, 26)]
    for x, y, s in hearts:
        heart(c, x, y, s, RED_PALE)
    shirts = [WHITE, BLUE_SOFT, WHITE, GREEN_SOFT, WHITE, BLUE_SOFT, WHITE, GREEN_SOFT]
    heights = [200, 170, 215, 160, 205, 185, 150, 195]
    arms = ["down", "wave", "down", "down", "wave", "down", "down", "wave"]
    hair = [HAIR, HAIR, GREY_HAIR, HAIR, "#4a3b35", GREY_HAIR, HAIR, HAIR]
    for i in range(8):
        x = 140 + i * 132
        person(c, x, 640 - (i % 2) * 12, heights[i], shirts[i], vest=RED, arm=arms[i], hair=hair[i])
    return c


def city_funds():
    """guangzhou-shequ-cishan-jijin-475: a city seen from above, neighbourhoods marked with heart pins."""
    c = Canvas("#eef0ea", "#f5f2ec")
    # river
    c.poly([(0, 420), (300, 380), (600, 430), (900, 390), (1200, 430), (1200, 500), (900, 460), (600, 500),
            (300, 450), (0, 490)], "#c9dbe3")
    # blocks in a loose grid
    rng = random.Random(5)
    for row in range(7):
        for col in range(12):
            x, y = 20 + col * 100, 20 + row * 95
            if 360 < y + 40 < 520:
                continue
            colour = rng.choice(("#e6ded1", "#ebe4d9", "#dfe9e2", "#e6ded1"))
            c.rect(x, y, x + 84, y + 76, colour, radius=8)
            if rng.random() < 0.25:
                c.rect(x + 10, y + 10, x + 74, y + 66, "#cfe1d6", radius=6)
    pins = [(170, 160), (420, 250), (640, 120), (880, 220), (1060, 110), (300, 580), (560, 600), (800, 590),
            (1020, 560), (130, 330)]
    for x, y in pins:
        c.shadow(x, y + 4, 18, 6, strength=50, blur=3)
        c.circle(x, y - 40, 30, RED)
        c.poly([(x - 26, y - 30), (x + 26, y - 30), (x, y)], RED)
        heart(c, x, y - 41, 30, WHITE)
    # a bridge across the river
    c.rect(680, 385, 720, 520, "#d2c6b4")
    return c


def phone_aid():
    """guangzhou-suijiuyi: social assistance on a phone — a hand holding it, cards with a heart and check marks."""
    c = Canvas("#e9eef1", "#f6f3ee")
    c.circle(300, 340, 220, GREEN_SOFT)
    c.circle(930, 330, 190, RED_SOFT)
    # floating cards
    for x, y, col in ((140, 170, GREEN), (160, 430, GOLD), (930, 160, BLUE), (960, 420, GREEN)):
        c.soft_box_shadow(x, y, x + 170, y + 90, strength=30, blur=8, offset=4)
        c.rect(x, y, x + 170, y + 90, WHITE, radius=12)
        c.circle(x + 36, y + 45, 20, col)
        text_lines(c, x + 70, y + 30, 80, 2, gap=22, thickness=8)
    # phone
    c.soft_box_shadow(470, 70, 730, 610, radius=36, strength=50, blur=16)
    c.rect(470, 70, 730, 610, INK, radius=36)
    c.rect(484, 86, 716, 594, WHITE, radius=26)
    c.rect(484, 86, 716, 200, RED, radius=26)
    c.rect(484, 170, 716, 200, RED)
    heart(c, 600, 140, 60, WHITE)
    for i in range(3):
        y = 230 + i * 110
        c.rect(504, y, 696, y + 90, SHADE, radius=12)
        c.circle(540, y + 45, 22, GREEN_MID if i != 1 else GOLD)
        c.line([(530, y + 45), (538, y + 53), (552, y + 37)], WHITE, 5)
        text_lines(c, 580, y + 28, 96, 2, gap=24, thickness=8)
    # a hand at the bottom
    c.rect(520, 560, 700, 700, SKIN, radius=50)
    c.rect(470, 520, 530, 640, SKIN_DARK, radius=28)
    c.rect(580, 640, 760, 700, BLUE, radius=10)
    return c


def elders_and_children():
    """guangzhou-yilao-yixiao: an elder canteen — a table with bowls, an older man and a child."""
    c = Canvas("#f4ebdf", "#f8f3ec")
    c.rect(0, 430, WIDTH, HEIGHT, "#e6d6bf")
    c.rect(0, 425, WIDTH, 433, "#d7c3a3")
    # counter with steaming pots in the back
    c.rect(660, 230, 1150, 420, WHITE, radius=8)
    c.rect(660, 230, 1150, 260, RED, radius=8)
    c.rect(660, 250, 1150, 260, RED)
    for x in (740, 880, 1020):
        c.ellipse(x, 330, 55, 22, "#c8d5da")
        c.rect(x - 55, 330, x + 55, 380, "#c8d5da", radius=10)
        for dx in (-16, 0, 16):
            c.line([(x + dx, 300), (x + dx + 6, 280), (x + dx, 262)], WHITE, 5, alpha=200)
    # lanterns
    for x in (140, 420):
        c.line([(x, 0), (x, 60)], RED_DARK, 3)
        c.ellipse(x, 100, 40, 44, RED)
        c.rect(x - 18, 52, x + 18, 62, GOLD, radius=2)
        c.rect(x - 18, 138, x + 18, 148, GOLD, radius=2)
    # people behind the table
    person(c, 300, 560, 250, "#c8d5da", hair=GREY_HAIR, arm="forward", facing=1)
    person(c, 520, 560, 150, GOLD, arm="wave")
    person(c, 820, 585, 240, WHITE, vest=GREEN, arm="forward", facing=-1)
    # table
    c.soft_box_shadow(150, 470, 700, 520, radius=8, strength=40, blur=10, offset=6)
    c.rect(150, 470, 700, 500, WOOD, radius=8)
    c.rect(180, 500, 200, 640, WOOD)
    c.rect(650, 500, 670, 640, WOOD)
    for x, col in ((260, WHITE), (420, WHITE), (560, WHITE)):
        c.ellipse(x, 462, 48, 14, col)
        c.poly([(x - 48, 462), (x + 48, 462), (x + 30, 490), (x - 30, 490)], col)
        c.ellipse(x, 462, 40, 9, GOLD_SOFT)
        c.ellipse(x + 10, 460, 12, 5, GREEN_MID)
    c.line([(450, 455), (500, 425)], WOOD, 4)
    heart(c, 420, 380, 34, RED_MID)
    return c


def coordination_meeting():
    """jiankangxing-xietiaohui: a round table from above — papers, cups, a plan with a path and flags."""
    c = Canvas("#eef0ec", "#f4f1eb")
    c.shadow(600, 346, 410, 230, strength=55, blur=22)
    c.ellipse(600, 336, 410, 226, "#c59a6c")
    c.ellipse(600, 332, 392, 210, "#d5ad80")
    # people seen from above around the table: shoulders, then the head nearer the table
    colours = [RED, GREEN, BLUE, GOLD, RED_MID, GREEN_MID, INK_SOFT, TAN]
    for i in range(8):
        a = 2 * math.pi * i / 8 + 0.4
        x, y = 600 + 470 * math.cos(a), 336 + 262 * math.sin(a)
        c.ellipse(x, y, 60, 38, colours[i])
        c.circle(x - 34 * math.cos(a), y - 26 * math.sin(a), 29, HAIR if i % 3 else GREY_HAIR)
    # a map of the route on the table
    c.soft_box_shadow(430, 210, 770, 460, strength=30, blur=6, offset=3)
    c.rect(430, 210, 770, 460, "#eef3ec", radius=6)
    hills_points = [(430, 460), (430, 380), (520, 330), (600, 370), (690, 300), (770, 350), (770, 460)]
    c.poly(hills_points, "#cfe2d6")
    c.line([(460, 430), (540, 380), (610, 410), (680, 340), (740, 300)], RED, 7)
    for x, y in ((460, 430), (610, 410), (740, 300)):
        c.line([(x, y), (x, y - 40)], INK_SOFT, 3)
        c.poly([(x, y - 40), (x + 26, y - 32), (x, y - 24)], GOLD)
    heart(c, 520, 260, 30, RED)
    # papers and cups
    for x, y in ((300, 250), (820, 270), (330, 430), (800, 430)):
        c.rect(x - 45, y - 30, x + 45, y + 30, WHITE, radius=3)
        text_lines(c, x - 35, y - 18, 70, 3, gap=13, thickness=5)
    for x, y in ((390, 330), (830, 350), (600, 520), (600, 150)):
        c.circle(x, y, 20, WHITE)
        c.circle(x, y, 14, "#c7a77f")
    return c


def villages_covered():
    """shequ-cishan-jijin-277-quanfugai: many small village houses across fields, each with a little heart."""
    c = Canvas("#eaf0ea", "#f5f1ea")
    sun(c, 1030, 110, 50)
    hills(c, 250, 70, "#d3e3d9", phase=0.2, waves=1.0)
    ground(c, 250, "#dbe8de")
    # bands of fields
    for i, (y, col) in enumerate(((250, "#d4e5d9"), (330, "#e5dfc8"), (420, "#d1e3d6"), (520, "#e8dec9"))):
        c.poly([(0, y + 10 * (i % 2)), (WIDTH, y - 14), (WIDTH, HEIGHT), (0, HEIGHT)], col)
    rng = random.Random(9)
    spots = []
    for row, (y, size, n) in enumerate(((300, 46, 11), (400, 58, 9), (510, 72, 7), (640, 90, 5))):
        for i in range(n):
            x = (i + 0.5) * WIDTH / n + rng.uniform(-20, 20) + (row % 2) * 20
            spots.append((x, y + rng.uniform(-8, 8), size))
    for x, y, s in spots:
        house(c, x - s / 2, y, s, s * 0.7, wall=WHITE, roof=rng.choice(("#6d7c8a", "#8a6f5c", "#6d7c8a")),
              roof_kind="lingnan", windows=1)
        heart(c, x + s * 0.45, y - s * 1.05, s * 0.42, RED)
    for x in (60, 1150):
        tree(c, x, 660, 180, crown=GREEN, kind="banyan")
    return c


SCENES = {
    "fuwu-zhendi": service_hub,
    "jiankangxing": charity_walk,
    "jiuzhu-baozhang": insurance_aid,
    "fuliyuan-yejian": night_care,
    "jiaoliuhui": exchange_meeting,
    "jiaoliuhui-zhuchang": lambda: exchange_meeting(1),
    "cunju-jijin": village_fund,
    "fuhua-peiyu": seedlings,
    "shangmen-tanfang": home_visit,
    "tejiao-ketang": special_classroom,
    "jidu-baogao": published_report,
    "zhiyuanzhe": volunteers,
    "chengshi-jijin": city_funds,
    "zhijian-ban": phone_aid,
    "yilao-yixiao": elders_and_children,
    "xietiaohui": coordination_meeting,
    "cunju-fugai": villages_covered,
}


def main(names: list[str]) -> None:
    for name in names or SCENES:
        path = SCENES[name]().save(name)
        print(f"{path.name}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(sys.argv[1:])
