"""Draw the stretch pictures in ``content/images/<id>.png``.

The clinic's sheet refers to photos that were never supplied, so the pictures are drawn here
from data: each stretch is a :class:`Scene` made of bodies (joint positions in centimetres),
props (floor mat, wall, chair, cushion), movement arrows and guide lines.  Everything is drawn
at ``SUPERSAMPLE`` times the final size and downsampled with LANCZOS, which gives smooth
antialiased edges with nothing but Pillow.

Conventions used by the pose data:

* world units are centimetres, ``x`` to the right and ``y`` *up*; the floor is ``y = 0``;
* angles are in degrees, counter-clockwise, ``0`` pointing right, ``90`` pointing up;
* in side views the person's "near" limbs face the viewer and are drawn in the strong accent
  colour, the "far" limbs are drawn lighter and behind the torso, which is what lets an eye
  separate two legs that overlap in a flat drawing;
* a pale "ghost" body shows the starting position where the stretch is a movement away from it;
* which side the viewer sees (x right, y up, z towards the viewer; a person's right is
  forward x head-direction): in profile facing RIGHT, or lying on the back with the head on the
  LEFT, the person's RIGHT side faces us (a car driving to the right shows its right side);
  facing left, or head on the right, the LEFT side.  The near limbs are that side's.

Each stretch also moves: ``<id>.gif`` is a short looping animation made from the same drawing,
start position -> stretch -> hold, the body's joints blended from the start pose (the pale
figure, or ``ANIMATION_STARTS``) to the stretch, framed exactly like the still.

Regenerate every picture and animation with ``python content/images/draw.py`` (``--stills`` for
the PNGs only; deterministic: same Pillow, same pixels).  ``tests/images/`` fails when a
committed PNG or GIF no longer matches what this file draws.
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

Point = tuple[float, float]
RGB = tuple[int, int, int]
View = Literal["side", "top"]

OUT_DIR = Path(__file__).resolve().parent

# Final picture size.  Telegram shows photos at most ~1280 px wide, 3:2 suits a lying person.
WIDTH, HEIGHT = 1200, 800
# Draw this many times larger, then downsample: Pillow's polygons are not antialiased.
SUPERSAMPLE = 3
LABEL_BAND = 92  # px at final size, the strip with the stretch's name
FLOOR_Y = 600  # px from the top where y = 0 lands in side views
MARGIN = 70  # px kept free around the drawing


# --------------------------------------------------------------------------------------------
# Palette: one calm background, one accent (teal) for the person, one warm colour for arrows.
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Palette:
    background: RGB = (246, 242, 235)
    glow: RGB = (251, 249, 244)  # soft spot behind the figure, keeps the eye in the middle
    floor: RGB = (233, 226, 214)
    floor_line: RGB = (210, 199, 181)
    mat: RGB = (214, 230, 221)
    mat_edge: RGB = (172, 201, 186)
    near: RGB = (46, 125, 140)
    far: RGB = (132, 182, 191)
    outline: RGB = (28, 84, 96)
    hair: RGB = (33, 70, 80)
    # Face and hands in a warm skin tone: where the hands are reads at a glance, even where an
    # arm crosses a leg of the same colour.
    skin: RGB = (238, 190, 150)
    skin_edge: RGB = (150, 98, 64)
    # The limb that does the stretch, where it would otherwise melt into the torso (views
    # from above): a deeper blue, so "which leg" reads at a glance.
    key: RGB = (48, 92, 170)
    ghost: RGB = (200, 222, 224)
    ghost_knee: RGB = (170, 200, 204)
    arrow: RGB = (232, 119, 46)
    arrow_halo: RGB = (252, 250, 246)
    guide: RGB = (150, 140, 128)
    wood: RGB = (196, 154, 108)
    wood_dark: RGB = (160, 122, 80)
    wall: RGB = (226, 217, 202)
    wall_edge: RGB = (204, 192, 172)
    cushion: RGB = (233, 190, 120)
    cushion_edge: RGB = (205, 160, 92)
    band: RGB = (255, 255, 255)
    band_line: RGB = (226, 219, 207)
    title: RGB = (40, 54, 60)
    caption: RGB = (118, 130, 135)
    side_tag: RGB = (120, 150, 140)


PAL = Palette()

# Body proportions in centimetres (a ~170 cm adult).  Shared by every pose so limbs keep their
# length from picture to picture; change them here, not in the poses.
THIGH, SHIN, FOOT = 43.0, 42.0, 19.0
UPPER_ARM, FOREARM, HAND = 28.0, 25.0, 8.0
SPINE = (13.0, 16.0, 19.0)  # pelvis -> waist -> chest -> base of neck
NECK_TO_HEAD = 15.0
HEAD_R = 10.5
# Half-thickness of the torso at pelvis, waist, chest, base of neck.  Seen from above the
# torso is wider (shoulders) than seen from the side (chest depth).
TORSO_R: dict[View, tuple[float, float, float, float]] = {
    "side": (12.5, 10.5, 12.0, 9.5),
    "top": (16.0, 12.5, 16.5, 15.0),
}
SHOULDER_HALF_WIDTH = 16.0  # top view only: shoulders sit this far either side of the spine
HIP_HALF_WIDTH = 8.5
OUTLINE = 0.9  # cm; a thin darker rim separates overlapping same-coloured limbs
ARM_R = (4.6, 3.8, 3.2, 3.6)  # shoulder, elbow, wrist, hand
LEG_R = (7.8, 5.4, 4.0)  # hip, knee, ankle
FOOT_R = (3.6, 2.6)  # heel, toe


# --------------------------------------------------------------------------------------------
# Small geometry helpers used by the pose data.
# --------------------------------------------------------------------------------------------
def polar(origin: Point, angle: float, length: float) -> Point:
    """The point ``length`` cm from ``origin`` in direction ``angle`` degrees."""
    a = math.radians(angle)
    return (origin[0] + length * math.cos(a), origin[1] + length * math.sin(a))


def angle_of(a: Point, b: Point) -> float:
    return math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))


def dist(a: Point, b: Point) -> float:
    return math.hypot(b[0] - a[0], b[1] - a[1])


def lerp(a: Point, b: Point, t: float) -> Point:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def ik(root: Point, target: Point, l1: float, l2: float, bend: int) -> tuple[Point, Point]:
    """Two-bone inverse kinematics: the middle joint (knee/elbow) and the reachable end.

    ``bend`` = +1 puts the middle joint on the left of the root->target line (counter-
    clockwise), -1 on the right.  Targets out of reach are pulled in so limbs never stretch.
    """
    d = dist(root, target)
    d = max(min(d, l1 + l2 - 1e-6), abs(l1 - l2) + 1e-6)
    base = angle_of(root, target)
    # Law of cosines for the angle at the root between the first bone and root->target.
    cos_a = (l1 * l1 + d * d - l2 * l2) / (2 * l1 * d)
    a = math.degrees(math.acos(max(-1.0, min(1.0, cos_a))))
    mid = polar(root, base + bend * a, l1)
    end = polar(root, base, d)
    return mid, end


# --------------------------------------------------------------------------------------------
# The body model.
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Limb:
    """A chain of joints with a half-thickness per joint, drawn as one rounded shape."""

    joints: tuple[Point, ...]
    radii: tuple[float, ...]
    near: bool = True  # strong colour when True, light "far side" colour otherwise
    front: bool = True  # drawn after (over) the torso when True
    extra: tuple[tuple[Point, Point, float, float], ...] = ()  # e.g. the foot: p0, p1, r0, r1
    layer: int = 0  # within the front (or back) limbs, higher layers are drawn later (on top)
    hand: bool = False  # an arm: its last segment (wrist to fingertips) is drawn as a hand
    key: bool = False  # the limb doing the stretch, in PAL.key


@dataclass(frozen=True)
class Body:
    """One person.  Built by :func:`make_body`; ``ghost`` bodies are drawn as a pale shape."""

    spine: tuple[Point, ...]  # pelvis, waist, chest, base of neck
    torso_r: tuple[float, ...]
    head: Point
    face: Point | None  # unit vector the face points to; None shows the back of the head
    limbs: tuple[Limb, ...]
    ghost: bool = False
    view: View = "side"
    # False: no head or neck (a view from the feet end, where the chest hides them).
    head_shown: bool = True


@dataclass(frozen=True)
class Arm:
    """An arm reaching for ``hand`` (wrist position).  ``hand_angle`` tilts the hand itself."""

    hand: Point
    bend: int = 1
    near: bool = True
    front: bool = True
    hand_angle: float | None = None
    shoulder: Point | None = None  # override (top views: chosen side of the chest)
    # Giving the elbow places the joints exactly as written (no fixed bone lengths): needed in
    # views from above, where a limb pointing down to the floor looks shorter.
    elbow: Point | None = None
    layer: int = 0  # 1: drawn over the legs, e.g. hands holding a shin or a foot


@dataclass(frozen=True)
class Leg:
    """A leg reaching for ``ankle``; the foot points along ``foot_angle`` degrees."""

    ankle: Point
    foot_angle: float
    bend: int = 1
    near: bool = True
    front: bool = True
    hip: Point | None = None  # override (top views: left or right of the pelvis)
    foot_len: float = FOOT
    knee: Point | None = None  # as Arm.elbow: joints exactly as written
    foot_r: tuple[float, float] = FOOT_R  # heel, toe; a sole seen from above is wider at the toes
    # A tightly bent knee: the shin (and foot) is drawn as its own shape over the thigh, so its
    # outline separates the two instead of melting them into one blob.
    fold: bool = False
    key: bool = False  # the leg doing the stretch, in PAL.key


def spine_points(pelvis: Point, angles: Sequence[float]) -> tuple[Point, ...]:
    pts = [pelvis]
    for ang, length in zip(angles, SPINE, strict=True):
        pts.append(polar(pts[-1], ang, length))
    return tuple(pts)


def shoulder_of(spine: Sequence[Point]) -> Point:
    """Side-view shoulder joint: a little below the base of the neck, inside the chest."""
    return lerp(spine[3], spine[2], 0.3)


def lateral(spine: Sequence[Point], index: int, offset: float) -> Point:
    """Top views: a point ``offset`` cm to the left (+) / right (-) of the spine direction."""
    i0, i1 = max(index - 1, 0), min(index + 1, len(spine) - 1)
    d = angle_of(spine[i0], spine[i1])
    return polar(spine[index], d + 90, offset)


def make_body(
    pelvis: Point,
    spine: Sequence[float],
    head_angle: float,
    face: float | None,
    arms: Sequence[Arm],
    legs: Sequence[Leg],
    view: View = "side",
    face_up: bool = False,
) -> Body:
    """Build a :class:`Body` from a compact pose description.

    ``spine`` holds the absolute directions (degrees) of the three torso segments from the
    pelvis up; ``head_angle`` is the direction from the base of the neck to the head centre;
    ``face`` is the direction the face points (a side-view angle) or None for the back of the
    head.  ``face_up`` (top views of someone lying on their back) shows the face to the viewer.
    """
    sp = spine_points(pelvis, spine)
    head = polar(sp[3], head_angle, NECK_TO_HEAD)
    face_vec: Point | None
    if face_up:
        # Seen from above the face looks at us; hair shows as a crescent at the crown.
        face_vec = polar((0.0, 0.0), head_angle + 180, 0.001)
    elif face is None:
        face_vec = None
    else:
        face_vec = polar((0.0, 0.0), face, 1.0)

    limbs: list[Limb] = []
    for arm in arms:
        sh = arm.shoulder if arm.shoulder is not None else shoulder_of(sp)
        if arm.elbow is not None:
            elbow, wrist = arm.elbow, arm.hand
        else:
            elbow, wrist = ik(sh, arm.hand, UPPER_ARM, FOREARM, arm.bend)
        h_ang = arm.hand_angle if arm.hand_angle is not None else angle_of(elbow, wrist)
        hand_tip = polar(wrist, h_ang, HAND * 0.6)
        limbs.append(
            Limb(
                joints=(sh, elbow, wrist, hand_tip),
                radii=ARM_R,
                near=arm.near,
                front=arm.front,
                layer=arm.layer,
                hand=True,
            )
        )
    for leg in legs:
        hip = leg.hip if leg.hip is not None else sp[0]
        if leg.knee is not None:
            knee, ankle = leg.knee, leg.ankle
        else:
            knee, ankle = ik(hip, leg.ankle, THIGH, SHIN, leg.bend)
        heel = polar(ankle, leg.foot_angle + 180, 4.0)
        toe = polar(ankle, leg.foot_angle, leg.foot_len)
        foot = ((heel, toe, leg.foot_r[0], leg.foot_r[1]),)
        if leg.fold:
            limbs += [
                Limb((hip, knee), LEG_R[:2], near=leg.near, front=leg.front, key=leg.key),
                Limb(
                    (knee, ankle),
                    LEG_R[1:],
                    near=leg.near,
                    front=leg.front,
                    extra=foot,
                    key=leg.key,
                ),
            ]
        else:
            limbs.append(
                Limb(
                    (hip, knee, ankle),
                    LEG_R,
                    near=leg.near,
                    front=leg.front,
                    extra=foot,
                    key=leg.key,
                )
            )
    return Body(
        spine=sp,
        torso_r=TORSO_R[view],
        head=head,
        face=face_vec,
        limbs=tuple(limbs),
        view=view,
    )


def as_ghost(body: Body) -> Body:
    return replace(body, ghost=True)


# --------------------------------------------------------------------------------------------
# Scene description: props, arrows, guides.
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mat:
    x0: float
    x1: float
    y0: float = -1.0  # side view: a thin slab on the floor; top view: a rectangle
    y1: float = 1.2


@dataclass(frozen=True)
class Wall:
    x: float  # the face of the wall the person touches
    side: int = -1  # -1: wall extends to the left of x, +1: to the right


@dataclass(frozen=True)
class Chair:
    x: float  # centre of the seat
    back_side: int = 1  # +1: chair back on the right edge of the seat, -1: on the left
    seat_h: float = 46.0
    back_h: float = 92.0
    depth: float = 42.0


@dataclass(frozen=True)
class Cushion:
    x0: float
    x1: float
    height: float = 7.0


@dataclass(frozen=True)
class Pillow:
    centre: Point
    size: Point


@dataclass(frozen=True)
class Arrow:
    """A movement arrow along a smooth curve through ``points``; the head is at the end."""

    points: tuple[Point, ...]
    width: float = 3.2  # cm


@dataclass(frozen=True)
class Guide:
    """A dashed helper line, e.g. 'front knee no further than the foot'."""

    a: Point
    b: Point


@dataclass(frozen=True)
class Tag:
    """A small text tag in world coordinates (used for L / R in views from above)."""

    at: Point
    text: str
    size: int = 30
    # A label naming a body part ("right knee") is darker than the L / R side tags.
    strong: bool = False


@dataclass(frozen=True)
class Zone:
    """Where the stretch is felt: a dashed warm line along that part of the body."""

    points: tuple[Point, ...]


@dataclass(frozen=True)
class Inset:
    """A small second view in a corner, e.g. the side view of a pose shown from above, so the
    body position (kneeling, lying) reads at once.  ``box``: x, y, width, height in px."""

    scene: Scene
    box: tuple[int, int, int, int]
    # Show only this part of the inset's scene (world cm: x0, y0, x1, y1; the same aspect as
    # ``box``), so a detail reads at inset size; None shows the whole drawing.
    crop: tuple[float, float, float, float] | None = None


Prop = Mat | Wall | Chair | Cushion | Pillow


@dataclass(frozen=True)
class Scene:
    title: str
    view: View
    bodies: tuple[Body, ...]  # ghosts first, then the person in the stretch
    props: tuple[Prop, ...] = ()
    arrows: tuple[Arrow, ...] = ()
    guides: tuple[Guide, ...] = ()
    tags: tuple[Tag, ...] = ()
    caption: str = ""
    max_scale: float = 5.4  # px (final size) per cm; keeps floor poses from looking gigantic
    extra_bounds: tuple[Point, ...] = field(default_factory=tuple)
    zones: tuple[Zone, ...] = ()
    inset: Inset | None = None
    # Side views: where the floor line sits and the room kept above the drawing (px, final
    # size).  A standing person is scaled by their height; a lower floor makes them bigger.
    floor_y: float = FLOOR_Y
    top_margin: float = MARGIN


def mirrored(scene: Scene, title: str, caption: str | None = None) -> Scene:
    """Mirror a scene left-right (x -> -x).  Text is re-laid, never mirrored."""

    def m(p: Point) -> Point:
        return (-p[0], p[1])

    def mb(b: Body) -> Body:
        return replace(
            b,
            spine=tuple(m(p) for p in b.spine),
            head=m(b.head),
            face=None if b.face is None else m(b.face),
            limbs=tuple(
                replace(
                    limb,
                    joints=tuple(m(p) for p in limb.joints),
                    extra=tuple((m(a), m(b2), r0, r1) for a, b2, r0, r1 in limb.extra),
                )
                for limb in b.limbs
            ),
        )

    def mp(p: Prop) -> Prop:
        if isinstance(p, Mat):
            return replace(p, x0=-p.x1, x1=-p.x0)
        if isinstance(p, Cushion):
            return replace(p, x0=-p.x1, x1=-p.x0)
        if isinstance(p, Wall):
            return replace(p, x=-p.x, side=-p.side)
        if isinstance(p, Chair):
            return replace(p, x=-p.x, back_side=-p.back_side)
        return replace(p, centre=m(p.centre))

    return replace(
        scene,
        title=title,
        caption=scene.caption if caption is None else caption,
        bodies=tuple(mb(b) for b in scene.bodies),
        props=tuple(mp(p) for p in scene.props),
        arrows=tuple(replace(a, points=tuple(m(p) for p in a.points)) for a in scene.arrows),
        guides=tuple(Guide(m(g.a), m(g.b)) for g in scene.guides),
        zones=tuple(Zone(tuple(m(p) for p in z.points)) for z in scene.zones),
        # Tags name the person's sides (L / R); they stay where they are.
        extra_bounds=tuple(m(p) for p in scene.extra_bounds),
    )


# --------------------------------------------------------------------------------------------
# Rendering.
# --------------------------------------------------------------------------------------------
def catmull_rom(points: Sequence[Point], samples: int = 10) -> list[Point]:
    """A smooth curve through ``points`` (used for the torso and the arrows)."""
    if len(points) < 3:
        if len(points) == 2:
            return [lerp(points[0], points[1], i / samples) for i in range(samples + 1)]
        return list(points)
    pts = [points[0], *points, points[-1]]
    out: list[Point] = []
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for s in range(samples):
            t = s / samples
            t2, t3 = t * t, t * t * t
            out.append(
                tuple(  # type: ignore[arg-type]
                    0.5
                    * (
                        2 * p1[k]
                        + (-p0[k] + p2[k]) * t
                        + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2
                        + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3
                    )
                    for k in range(2)
                )
            )
    out.append(points[-1])
    return out


def capsule(p0: Point, p1: Point, r0: float, r1: float, step_deg: float = 6.0) -> list[Point]:
    """Outline of the convex hull of two circles: a limb segment that tapers from r0 to r1."""
    d = dist(p0, p1)
    if d <= abs(r0 - r1) + 1e-6:  # one circle swallows the other
        c, r = (p0, r0) if r0 >= r1 else (p1, r1)
        n = int(360 / step_deg)
        return [polar(c, i * step_deg, r) for i in range(n)]
    theta = math.degrees(math.atan2(p1[1] - p0[1], p1[0] - p0[0]))
    alpha = math.degrees(math.acos(max(-1.0, min(1.0, (r0 - r1) / d))))
    pts: list[Point] = []
    n1 = max(2, int(2 * alpha / step_deg))
    for i in range(n1 + 1):  # front cap, around p1
        pts.append(polar(p1, theta - alpha + 2 * alpha * i / n1, r1))
    n0 = max(2, int((360 - 2 * alpha) / step_deg))
    for i in range(n0 + 1):  # back cap, around p0
        pts.append(polar(p0, theta + alpha + (360 - 2 * alpha) * i / n0, r0))
    return pts


class Canvas:
    """World (cm, y up) -> supersampled pixels, plus the primitive shapes."""

    def __init__(self, scale: float, origin: Point) -> None:
        self.k = SUPERSAMPLE
        self.scale = scale * self.k  # supersampled px per cm
        self.origin = origin  # supersampled px of world (0, 0)
        self.img = Image.new("RGB", (WIDTH * self.k, HEIGHT * self.k), PAL.background)
        self.draw = ImageDraw.Draw(self.img)

    def px(self, p: Point) -> tuple[float, float]:
        return (self.origin[0] + p[0] * self.scale, self.origin[1] - p[1] * self.scale)

    def poly(self, pts: Iterable[Point], fill: RGB) -> None:
        self.draw.polygon([self.px(p) for p in pts], fill=fill)

    def chain(
        self, joints: Sequence[Point], radii: Sequence[float], fill: RGB, grow: float
    ) -> None:
        """A limb: tapered capsules between consecutive joints, all grown by ``grow`` cm."""
        for i in range(len(joints) - 1):
            self.poly(capsule(joints[i], joints[i + 1], radii[i] + grow, radii[i + 1] + grow), fill)

    def circle(self, c: Point, r: float, fill: RGB) -> None:
        x, y = self.px(c)
        rr = r * self.scale
        self.draw.ellipse((x - rr, y - rr, x + rr, y + rr), fill=fill)

    def rrect(self, x0: float, y0: float, x1: float, y1: float, radius: float, fill: RGB) -> None:
        a, b = self.px((x0, y1)), self.px((x1, y0))
        self.draw.rounded_rectangle((a, b), radius=radius * self.scale, fill=fill)

    def dashed(self, a: Point, b: Point, fill: RGB, width: float, dash: float = 3.0) -> None:
        n = max(1, int(dist(a, b) / dash))
        for i in range(0, n, 2):
            p, q = lerp(a, b, i / n), lerp(a, b, min(1.0, (i + 1) / n))
            self.poly(capsule(p, q, width / 2, width / 2), fill)


def torso_curve(body: Body) -> tuple[list[Point], list[float]]:
    pts = catmull_rom(body.spine, samples=8)
    # Radii follow the spine points; interpolate them along the sampled curve.
    radii: list[float] = []
    n = len(body.spine) - 1
    for i in range(len(pts)):
        t = i / (len(pts) - 1) * n
        j = min(int(t), n - 1)
        f = t - j
        radii.append(body.torso_r[j] * (1 - f) + body.torso_r[j + 1] * f)
    return pts, radii


def draw_body(cv: Canvas, body: Body) -> None:
    """Far limbs, torso, head, near limbs; each part gets its outline drawn just before it."""
    if body.ghost:
        colour = PAL.ghost

        def part(joints: Sequence[Point], radii: Sequence[float], _near: bool | None) -> None:
            cv.chain(joints, radii, colour, 0.0)

    else:

        def part(joints: Sequence[Point], radii: Sequence[float], near: bool | None) -> None:
            cv.chain(joints, radii, PAL.outline, OUTLINE)
            colour = PAL.key if near is None else PAL.near if near else PAL.far
            cv.chain(joints, radii, colour, 0.0)

    def limb(lb: Limb) -> None:
        tone = None if lb.key else lb.near
        # The foot goes first so the ankle sits on top of the heel.
        for a, b, r0, r1 in lb.extra:
            part((a, b), (r0, r1), tone)
        if lb.hand and not body.ghost:
            part(lb.joints[:-1], lb.radii[:-1], tone)
            wrist, tip = lb.joints[-2], lb.joints[-1]
            hand_c = lerp(wrist, tip, 0.55)
            cv.circle(hand_c, lb.radii[-1] + 1.4 + OUTLINE, PAL.skin_edge)
            cv.circle(hand_c, lb.radii[-1] + 1.4, PAL.skin)
        else:
            part(lb.joints, lb.radii, tone)
        if body.ghost and body.view == "top" and len(lb.joints) == 3 and not lb.hand:
            # A pale leg seen from above: a raised knee would read as a straight leg, so the
            # knee shows as a round, darker cap.
            cv.circle(lb.joints[1], lb.radii[1] + 2.0, PAL.ghost_knee)

    # Stable sort: limbs of one layer keep the order the pose gave them.
    limbs = sorted(body.limbs, key=lambda lb: lb.layer)
    for lb in limbs:
        if not lb.front:
            limb(lb)
    # Neck, then torso over it, then head: the neck only shows between the two.
    if body.head_shown:
        neck_end = lerp(body.spine[-1], body.head, 0.7)
        part((body.spine[-1], neck_end), (5.0, 4.6), True)
    pts, radii = torso_curve(body)
    part(pts, radii, True)
    if body.head_shown:
        draw_head(cv, body)
    for lb in limbs:
        if lb.front:
            limb(lb)


def draw_head(cv: Canvas, body: Body) -> None:
    c = body.head
    if body.ghost:
        cv.circle(c, HEAD_R, PAL.ghost)
        return
    cv.circle(c, HEAD_R + OUTLINE, PAL.outline)
    if body.face is None:  # back of the head: all hair
        cv.circle(c, HEAD_R, PAL.hair)
        return
    fx, fy = body.face
    norm = math.hypot(fx, fy)
    if norm < 0.01:
        # Face towards the viewer (lying on the back, seen from above): crown of hair on the
        # side away from the neck, face a smaller disc shifted towards the neck.
        ux, uy = fx / norm, fy / norm
        cv.circle(c, HEAD_R, PAL.hair)
        cv.circle((c[0] + ux * 2.6, c[1] + uy * 2.6), HEAD_R - 2.2, PAL.skin)
        return
    ux, uy = fx / norm, fy / norm
    # Profile: hair over the back of the head, the face disc shifted forward, and a nose so
    # the direction of the head reads even at thumbnail size.  Seen from above (a head turned
    # to one side on the floor) the turn is the point of the picture: more hair, bigger nose.
    top = body.view == "top"
    shift, nose_r = (3.6, 3.2) if top else (2.4, 2.4)
    cv.circle((c[0] + ux * 2.2, c[1] + uy * 2.2), 3.4, PAL.outline)
    cv.circle(c, HEAD_R, PAL.hair)
    cv.circle((c[0] + ux * shift, c[1] + uy * shift), HEAD_R - shift + 0.1, PAL.skin)
    nose = (c[0] + ux * (HEAD_R + 0.6), c[1] + uy * (HEAD_R + 0.6))
    cv.circle(nose, nose_r, PAL.skin_edge)
    cv.circle(nose, nose_r - 0.8, PAL.skin)


def draw_arrow(cv: Canvas, arrow: Arrow) -> None:
    path = catmull_rom(arrow.points, samples=16)
    w = arrow.width
    head_len, head_w = w * 3.0, w * 2.6
    # Walk back from the tip to where the head starts, so the shaft does not poke through.
    tip = path[-1]
    acc, k = 0.0, len(path) - 1
    while k > 0 and acc < head_len:
        acc += dist(path[k], path[k - 1])
        k -= 1
    base = path[k]
    shaft = [*path[: k + 1]]
    ang = angle_of(base, tip)
    left = polar(base, ang + 90, head_w / 2)
    right = polar(base, ang - 90, head_w / 2)
    tip_out = polar(tip, ang, 0.0)
    # Halo first (background colour) so the arrow stays legible over the figure.
    halo = 1.4
    for a, b in itertools.pairwise(shaft):
        cv.poly(capsule(a, b, w / 2 + halo, w / 2 + halo), PAL.arrow_halo)
    back_l = polar(left, ang + 180, halo * 0.6)
    back_r = polar(right, ang + 180, halo * 0.6)
    cv.poly(
        [
            polar(back_l, ang + 90, halo),
            polar(tip_out, ang, halo * 1.8),
            polar(back_r, ang - 90, halo),
        ],
        PAL.arrow_halo,
    )
    for a, b in itertools.pairwise(shaft):
        cv.poly(capsule(a, b, w / 2, w / 2), PAL.arrow)
    cv.poly([left, tip_out, right], PAL.arrow)


def draw_zone(cv: Canvas, zone: Zone, dash: float = 5.0) -> None:
    """A dashed warm line: dashes of ``dash`` cm along the curve, gaps as long."""
    path = catmull_rom(zone.points, samples=24)
    travelled, on, start = 0.0, True, path[0]
    for a, b in itertools.pairwise(path):
        travelled += dist(a, b)
        if travelled >= dash:
            if on:
                cv.poly(capsule(start, b, 1.8, 1.8), PAL.arrow)
            on, travelled, start = not on, 0.0, b
    if on and start != path[-1]:
        cv.poly(capsule(start, path[-1], 1.8, 1.8), PAL.arrow)


def draw_prop_back(cv: Canvas, prop: Prop, view: View) -> None:
    """Props behind the person."""
    if isinstance(prop, Wall):
        far = prop.x + prop.side * 2000
        x0, x1 = min(prop.x, far), max(prop.x, far)
        cv.rrect(x0, 0, x1, 2000, 0, PAL.wall)
        # The face of the wall, and a skirting board where it meets the floor.
        edge = prop.x + prop.side * 1.2
        cv.rrect(min(prop.x, edge), 0, max(prop.x, edge), 2000, 0, PAL.wall_edge)
        sk = prop.x + prop.side * 0.0
        cv.rrect(
            min(sk, sk + prop.side * -1.5), 0, max(sk, sk - prop.side * 1.5), 8, 0.3, PAL.wall_edge
        )
    elif isinstance(prop, Mat):
        if view == "side":
            cv.rrect(prop.x0, prop.y0, prop.x1, prop.y1, 1.0, PAL.mat_edge)
            cv.rrect(prop.x0 + 0.6, prop.y0 + 0.6, prop.x1 - 0.6, prop.y1, 0.8, PAL.mat)
        else:
            cv.rrect(prop.x0, prop.y0, prop.x1, prop.y1, 6.0, PAL.mat_edge)
            cv.rrect(prop.x0 + 1.5, prop.y0 + 1.5, prop.x1 - 1.5, prop.y1 - 1.5, 5.0, PAL.mat)
    elif isinstance(prop, Chair):
        draw_chair(cv, prop)
    elif isinstance(prop, Cushion):
        cv.rrect(prop.x0, 0, prop.x1, prop.height, prop.height / 2, PAL.cushion_edge)
        cv.rrect(
            prop.x0 + 0.8, 0.8, prop.x1 - 0.8, prop.height - 0.8, prop.height / 2 - 0.8, PAL.cushion
        )
    elif isinstance(prop, Pillow):
        (cx, cy), (w, h) = prop.centre, prop.size
        cv.rrect(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, min(w, h) / 2.2, PAL.cushion_edge)
        cv.rrect(
            cx - w / 2 + 1,
            cy - h / 2 + 1,
            cx + w / 2 - 1,
            cy + h / 2 - 1,
            min(w, h) / 2.2 - 1,
            PAL.cushion,
        )


def draw_chair(cv: Canvas, ch: Chair) -> None:
    """A simple side-on kitchen chair: two legs, seat, back post and top rail."""
    half = ch.depth / 2
    x0, x1 = ch.x - half, ch.x + half
    leg = 2.2
    cv.rrect(x0 + 1, 0, x0 + 1 + leg, ch.seat_h, 0.6, PAL.wood_dark)
    cv.rrect(x1 - 1 - leg, 0, x1 - 1, ch.seat_h, 0.6, PAL.wood_dark)
    post_x = x1 - 1 - leg if ch.back_side > 0 else x0 + 1
    cv.rrect(post_x, ch.seat_h, post_x + leg, ch.back_h, 0.6, PAL.wood_dark)
    # Back rail the hand holds, slightly thicker.
    rx0 = post_x - 2.0 if ch.back_side > 0 else post_x
    cv.rrect(rx0, ch.back_h - 12, rx0 + leg + 2.0, ch.back_h, 1.2, PAL.wood)
    cv.rrect(x0 - 1, ch.seat_h - 2.5, x1 + 1, ch.seat_h + 1.5, 1.2, PAL.wood)


def body_bounds(body: Body) -> list[Point]:
    pts: list[Point] = []
    pad = 14.0
    for p in (*body.spine, body.head):
        pts += [(p[0] - pad, p[1] - pad), (p[0] + pad, p[1] + pad)]
    for lb in body.limbs:
        for p in lb.joints:
            pts += [(p[0] - 8, p[1] - 8), (p[0] + 8, p[1] + 8)]
        for a, b, _, _ in lb.extra:
            pts += [a, b]
    return pts


def prop_bounds(prop: Prop) -> list[Point]:
    if isinstance(prop, Mat | Cushion):
        return [(prop.x0, 0), (prop.x1, 0)]
    if isinstance(prop, Chair):
        return [(prop.x - prop.depth / 2, 0), (prop.x + prop.depth / 2, prop.back_h)]
    if isinstance(prop, Pillow):
        (cx, cy), (w, h) = prop.centre, prop.size
        return [(cx - w / 2, cy - h / 2), (cx + w / 2, cy + h / 2)]
    return [(prop.x, 0)]


def layout(scene: Scene) -> tuple[float, Point]:
    """Scale (final px per cm) and origin (supersampled px of world 0,0) for a scene."""
    pts: list[Point] = []
    for b in scene.bodies:
        pts += body_bounds(b)
    for p in scene.props:
        if isinstance(p, Mat) and scene.view == "top":
            # Seen from above the mat is a rectangle that must fit whole.
            pts += [(p.x0, p.y0), (p.x1, p.y1)]
        else:
            pts += prop_bounds(p)
    for a in scene.arrows:
        pts += list(a.points)
    pts += list(scene.extra_bounds)
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    avail_w = WIDTH - 2 * MARGIN
    k = SUPERSAMPLE
    if scene.view == "side":
        avail_h = scene.floor_y - scene.top_margin
        scale = min(scene.max_scale, avail_w / (x1 - x0), avail_h / max(y1, 1.0))
        ox = (WIDTH / 2 - (x0 + x1) / 2 * scale) * k
        return scale, (ox, scene.floor_y * k)
    avail_h = HEIGHT - LABEL_BAND - 2 * MARGIN
    scale = min(scene.max_scale, avail_w / (x1 - x0), avail_h / (y1 - y0))
    ox = (WIDTH / 2 - (x0 + x1) / 2 * scale) * k
    oy = ((HEIGHT - LABEL_BAND) / 2 + (y0 + y1) / 2 * scale) * k
    return scale, (ox, oy)


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's bundled font: the same glyphs on every machine, no system font lookup.
    return ImageFont.load_default(size=size * SUPERSAMPLE)


def draw_label(cv: Canvas, scene: Scene) -> None:
    k = SUPERSAMPLE
    top = (HEIGHT - LABEL_BAND) * k
    cv.draw.rectangle((0, top, WIDTH * k, HEIGHT * k), fill=PAL.band)
    cv.draw.rectangle((0, top, WIDTH * k, top + 2 * k), fill=PAL.band_line)
    cy = top + LABEL_BAND * k / 2
    cv.draw.text(
        (44 * k, cy),
        scene.title,
        font=font(38),
        fill=PAL.title,
        anchor="lm",
        stroke_width=SUPERSAMPLE // 3,  # a third of a pixel: a touch bolder, at any supersampling
        stroke_fill=PAL.title,
    )
    if scene.caption:
        cv.draw.text(
            (WIDTH * k - 44 * k, cy), scene.caption, font=font(24), fill=PAL.caption, anchor="rm"
        )


def render_rgb(scene: Scene, framing: Scene | None = None) -> Image.Image:
    """The picture at final size, full colour (before palette reduction).

    ``framing``: the scene whose bounds set the scale and origin (an animation frame is framed
    like its still, so the camera never moves)."""
    scale, origin = layout(framing or scene)
    cv = Canvas(scale, origin)
    k = SUPERSAMPLE
    # A soft light spot behind the figure: calm, and it frames the pose.
    glow = Image.new("RGB", cv.img.size, PAL.glow)
    # radial_gradient is 0 in the centre and 255 at the rim; stretched to the drawing area it
    # fades the light spot out smoothly instead of leaving a hard-edged ellipse.
    mask = Image.radial_gradient("L").resize((int(WIDTH * 1.15 * k), int(HEIGHT * 1.3 * k)))
    mask = mask.point(lambda v: min(255, int(v * 1.25)))
    full = Image.new("L", cv.img.size, 255)
    full.paste(mask, (int(-0.075 * WIDTH * k), int(-0.22 * HEIGHT * k)))
    cv.img.paste(Image.composite(cv.img, glow, full))
    if scene.view == "side":
        cv.draw.rectangle((0, origin[1], WIDTH * k, HEIGHT * k), fill=PAL.floor)
        cv.draw.rectangle(
            (0, origin[1] - 1.5 * k, WIDTH * k, origin[1] + 1.5 * k), fill=PAL.floor_line
        )
    for p in scene.props:
        if not isinstance(p, Chair):
            draw_prop_back(cv, p, scene.view)
    for t in scene.tags:
        if not t.strong:
            x, y = cv.px(t.at)
            cv.draw.text((x, y), t.text, font=font(t.size), fill=PAL.side_tag, anchor="mm")
    # The chair goes behind the person but in front of the wall and mat.
    for p in scene.props:
        if isinstance(p, Chair):
            draw_prop_back(cv, p, scene.view)
    for g in scene.guides:
        cv.dashed(g.a, g.b, PAL.guide, 0.9, dash=2.6)
    for b in scene.bodies:
        draw_body(cv, b)
    for z in scene.zones:
        draw_zone(cv, z)
    for a in scene.arrows:
        draw_arrow(cv, a)
    for t in scene.tags:
        if t.strong:  # names a body part: over the drawing, with a halo to stay legible
            x, y = cv.px(t.at)
            cv.draw.text(
                (x, y),
                t.text,
                font=font(t.size),
                fill=PAL.title,
                anchor="mm",
                stroke_width=4 * SUPERSAMPLE,
                stroke_fill=PAL.arrow_halo,
            )
    draw_label(cv, scene)
    picture = cv.img.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    if scene.inset is not None:
        x, y, w, h = scene.inset.box
        whole = render_rgb(scene.inset.scene).crop((0, 0, WIDTH, HEIGHT - LABEL_BAND))
        if scene.inset.crop is not None:
            s_in, (ox, oy) = layout(scene.inset.scene)
            cx0, cy0, cx1, cy1 = scene.inset.crop
            k = SUPERSAMPLE
            whole = whole.crop(
                (
                    round(ox / k + cx0 * s_in),
                    round(oy / k - cy1 * s_in),
                    round(ox / k + cx1 * s_in),
                    round(oy / k - cy0 * s_in),
                )
            )
        small = whole.resize((w, h), Image.Resampling.LANCZOS)
        frame = ImageDraw.Draw(picture)
        frame.rounded_rectangle((x - 3, y - 3, x + w + 2, y + h + 2), radius=10, fill=PAL.mat_edge)
        picture.paste(small, (x, y))
    return picture


def render(scene: Scene) -> Image.Image:
    """The picture exactly as committed: palette PNG content (256 colours, no dithering).

    The drawing has a handful of flat colours plus their antialiased edges, so an adaptive
    palette keeps it visually identical at a fraction of the file size.
    """
    rgb = render_rgb(scene)
    return rgb.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


# --------------------------------------------------------------------------------------------
# The poses.  Each function returns one Scene; coordinates are centimetres, floor at y = 0.
# --------------------------------------------------------------------------------------------
def table_stretch() -> Scene:
    """Side view, facing right: from all fours, buttocks slide back towards the heels."""
    knee = (-4.0, 5.0)
    ankle = (-46.0, 4.5)  # shins flat on the floor behind the knees
    hands = (46.0, 3.5)
    legs = [
        Leg(ankle, foot_angle=183, bend=1, near=False, front=False),
        Leg((ankle[0] + 1, ankle[1]), foot_angle=183, bend=1),
    ]
    arms = [
        Arm(hands, bend=1, near=False, front=False, hand_angle=0),
        Arm((hands[0] - 2, hands[1]), bend=1, hand_angle=0),
    ]
    start = make_body(
        pelvis=(knee[0], knee[1] + THIGH - 1),  # hips over the knees, back level
        spine=(4, 3, 6),
        head_angle=4,
        face=-50,
        arms=arms,
        legs=legs,
    )
    # Hips slide back towards the heels (thigh turns about the knee); hands stay put, so the
    # arms reach forward almost straight, the back rounds and lengthens and the head hangs
    # low between the arms, like a child's pose with the arms reaching forward.
    stretched = make_body(
        pelvis=polar(knee, 150, THIGH - 1),
        spine=(26, 6, -22),
        head_angle=-50,
        face=-80,
        # Same hands; the elbows now sag towards the floor instead of bending up.
        arms=[replace(arm, bend=-1) for arm in arms],
        legs=legs,
    )
    return Scene(
        title="Table stretch",
        view="side",
        bodies=(as_ghost(start), stretched),
        props=(Mat(-78, 78),),
        arrows=(Arrow(((-6.0, 66.0), (-26.0, 62.0), (-40.0, 48.0))),),
        caption="pale figure: start position",
    )


# Lying on the back, seen from the side with the head on the left: the person's right side
# faces the viewer.  The pelvis rests on the mat, the spine runs flat along the floor.
SUPINE_PELVIS = (0.0, 12.5)
SUPINE_SPINE = (180.0, 180.0, 181.0)
SUPINE_SHOULDER = shoulder_of(spine_points(SUPINE_PELVIS, SUPINE_SPINE))


def bent_leg_on_floor(near: bool, dx: float = 0.0) -> Leg:
    """Knee up, foot flat on the floor close to the buttocks (the usual start position)."""
    return Leg((47.0 + dx, 4.5), foot_angle=0, bend=1, near=near, front=near)


def arm_by_side(near: bool) -> Arm:
    return Arm((SUPINE_SHOULDER[0] + 50, 4.0), bend=1, near=near, front=near, hand_angle=0)


def pelvic_tilt() -> Scene:
    """Lying on the back, knees up, arms by the sides; the hollow of the back presses down."""
    body = make_body(
        pelvis=SUPINE_PELVIS,
        spine=SUPINE_SPINE,
        head_angle=184,
        face=90,
        arms=[arm_by_side(False), arm_by_side(True)],
        legs=[bent_leg_on_floor(False, dx=3), bent_leg_on_floor(True)],
    )
    return Scene(
        title="Pelvic tilt",
        view="side",
        bodies=(body,),
        props=(Mat(-92, 82),),
        # Straight down onto the lower back: flatten the hollow against the floor.
        arrows=(
            Arrow(((-12.0, 52.0), (-12.0, 28.0)), width=3.4),
            # The pelvis rocks: tail bone curls up as the lower back goes down.
            Arrow(((16.0, 36.0), (6.0, 44.0), (-4.0, 44.0))),
        ),
        caption="press the lower back flat to the floor",
    )


def hug_leg(near: bool, thigh: float = 118.0, shin: float = -12.0) -> Leg:
    """A knee pulled towards the chest, shin roughly level, foot relaxed.

    ``thigh`` and ``shin`` are the directions (degrees) of the two bones.
    """
    knee = polar(SUPINE_PELVIS, thigh, THIGH)
    return Leg(
        polar(knee, shin, SHIN - 2),
        foot_angle=shin + 82,
        near=near,
        front=near,
        knee=knee,
    )


def hold_shin(near: bool, leg: Leg, along: float = 0.3) -> Arm:
    """A hand wrapped over the top of ``leg``'s shin, ``along`` of the way from the knee.

    Drawn over the leg (layer 1), so the hand shows on the shin instead of vanishing
    behind it.
    """
    assert leg.knee is not None
    shin_dir = angle_of(leg.knee, leg.ankle)
    on_shin = lerp(leg.knee, leg.ankle, along)
    wrist = polar(on_shin, shin_dir + 90, 5.5)  # on top of the shin, fingers curl over it
    return Arm(wrist, bend=1, near=near, front=near, hand_angle=shin_dir - 80, layer=1)


def knee_hugs() -> Scene:
    """Side view: both knees pulled to the chest together, side by side.  Both legs bend the
    same way; the far one shows just behind (a little higher, a little further on) the near
    one, both blue (both do the stretch), each hand on its own shin."""
    thigh, shin = 122.0, -16.0
    knee = polar(SUPINE_PELVIS, thigh, THIGH)
    near_leg = Leg(
        polar(knee, shin, SHIN - 2), foot_angle=shin + 30, knee=knee, key=True, fold=True
    )
    off = (5.0, 7.0)
    far_knee = (knee[0] + off[0], knee[1] + off[1])
    far_leg = Leg(
        polar(far_knee, shin, SHIN - 2),
        foot_angle=shin + 30,
        near=False,
        front=False,
        hip=(SUPINE_PELVIS[0] + 2.0, SUPINE_PELVIS[1] + 3.0),
        knee=far_knee,
        key=True,
        fold=True,
    )
    body = make_body(
        pelvis=SUPINE_PELVIS,
        spine=SUPINE_SPINE,
        head_angle=184,
        face=90,
        arms=[hold_shin(False, far_leg, along=0.6), hold_shin(True, near_leg, along=0.26)],
        legs=[far_leg, near_leg],
    )
    return Scene(
        title="Knee hugs",
        view="side",
        bodies=(body,),
        props=(Mat(-92, 60),),
        arrows=(Arrow(((30.0, 72.0), (12.0, 84.0), (-10.0, 80.0))),),
        tags=(label((-56.0, 60.0), "both knees to the chest"),),
        caption="pull both knees to the chest",
    )


def knee_hug_one_knee() -> Scene:
    """Side view: one knee hugged to the chest, the other leg lying straight along the floor.

    The straight leg sets it apart from knee hugs (both knees) at a glance; the hugged foot
    hangs relaxed along the shin instead of pointing at the ceiling, which read as a second
    raised limb.
    """
    knee = polar(SUPINE_PELVIS, 122.0, THIGH)
    shin = -16.0
    leg = Leg(
        polar(knee, shin, SHIN - 2),
        foot_angle=shin + 30,
        near=True,
        front=True,
        knee=knee,
        key=True,
    )
    straight = Leg((86.0, 5.0), foot_angle=80, near=False, front=False, knee=(43.0, 7.0))
    body = make_body(
        pelvis=SUPINE_PELVIS,
        spine=SUPINE_SPINE,
        head_angle=184,
        face=90,
        arms=[hold_shin(False, leg, along=0.22), hold_shin(True, leg, along=0.3)],
        legs=[straight, leg],
    )
    return Scene(
        title="Knee hug (one knee)",
        view="side",
        bodies=(body,),
        props=(Mat(-92, 100),),
        arrows=(Arrow(((22.0, 64.0), (6.0, 78.0), (-16.0, 78.0))),),
        tags=(
            label((-62.0, 62.0), "knee straight to the chest"),
            label((68.0, 30.0), "other leg straight"),
        ),
        caption="pull one knee to the chest, other leg down",
        inset=Inset(knee_hug_from_above(), (744, 16, 436, 279), KNEE_HUG_INSET_CROP),
    )


def knee_hug_from_above() -> Scene:
    """The inset of the one-knee hug: seen from above, head on the left.  The hugged knee (blue)
    comes straight up towards the shoulder on its own side, staying beside the body's midline
    (dashed), never across it; the other leg lies straight.  No side is named: the sheet says
    "just one knee"."""
    knee = (-26.0, -13.0)
    hugged = Leg(
        (4.0, -22.0),
        foot_angle=-10,
        hip=TOP_R_HIP,
        knee=knee,
        foot_len=9,
        fold=True,
        key=True,
    )
    body = knee_up_from_above(
        [
            Arm(
                (-15.0, -12.0),
                shoulder=TOP_L_SHOULDER,
                elbow=(-24.0, 8.0),
                hand_angle=-70,
                layer=1,
            ),
            Arm(
                (-17.0, -24.0),
                shoulder=TOP_R_SHOULDER,
                elbow=(-34.0, -30.0),
                hand_angle=10,
                layer=1,
            ),
        ],
        hugged,
    )
    return Scene(
        title="",
        view="top",
        bodies=(body,),
        guides=(Guide((-90.0, 0.0), (100.0, 0.0)),),
        # Straight along the body, towards the shoulder on the same side.
        arrows=(Arrow(((4.0, -36.0), (-14.0, -38.0), (-32.0, -34.0)), width=3.0),),
        tags=(Tag((-40.0, 35.0), "seen from above", size=34, strong=True),),
    )


KNEE_HUG_INSET_CROP = (-84.0, -44.0, 44.0, 38.0)


# Lying on the back seen from above, head on the left.  Facing us, the person's left side is at
# the top of the picture and the right side at the bottom.
TOP_PELVIS = (0.0, 0.0)
TOP_SPINE = (180.0, 180.0, 180.0)
_top_sp = spine_points(TOP_PELVIS, TOP_SPINE)
TOP_L_SHOULDER = (_top_sp[3][0] + 5, SHOULDER_HALF_WIDTH)
TOP_R_SHOULDER = (_top_sp[3][0] + 5, -SHOULDER_HALF_WIDTH)
TOP_L_HIP = (0.0, HIP_HALF_WIDTH)
TOP_R_HIP = (0.0, -HIP_HALF_WIDTH)
# The insets from above of the one-knee hug and gluteal #1: the left leg lies straight.
TOP_STRAIGHT_LEFT_LEG = Leg(
    (84.0, 10.0),
    foot_angle=0,
    hip=TOP_L_HIP,
    knee=(42.0, 10.0),
    near=False,
    front=False,
    foot_len=7,
    foot_r=(4.0, 5.0),
)


def knee_up_from_above(arms: list[Arm], bent: Leg) -> Body:
    """On the back seen from above, head on the left, the left leg straight, `bent` the right
    leg pulled up, with `arms`."""
    return make_body(
        pelvis=TOP_PELVIS,
        spine=TOP_SPINE,
        head_angle=180,
        face=None,
        face_up=True,
        view="top",
        arms=arms,
        legs=[TOP_STRAIGHT_LEFT_LEG, bent],
    )


def side_tags(top: float, bottom: float, x: float) -> tuple[Tag, Tag]:
    return Tag((x, top), "L"), Tag((x, bottom), "R")


def label(at: Point, text: str) -> Tag:
    """A body part named in the picture, where the sheet's words hinge on which one it is."""
    return Tag(at, text, size=26, strong=True)


# Gluteal stretch #1, side view with the head on the left (the person's right side towards us,
# as in the knee hugs): the left leg lies straight on the floor (pale), the right knee (blue) is
# pulled up past the chest towards the far, left, shoulder, both hands on the knee.
GLUTEAL_STRAIGHT_LEG = Leg((86.0, 5.0), foot_angle=80, near=False, front=False, knee=(43.0, 7.0))


def gluteal_body(
    knee: Point, shin: float, hands: tuple[Point, Point], foot: float | None = None
) -> Body:
    """On the back, left leg straight; the right knee at ``knee``, its shin pointing along
    ``shin`` degrees (the foot along ``foot``, relaxed by default); the left (far) and right
    (near) hands at ``hands``."""
    foot_angle = shin + 40 if foot is None else foot
    right_leg = Leg(
        polar(knee, shin, SHIN - 2), foot_angle=foot_angle, knee=knee, key=True, fold=True
    )
    return make_body(
        pelvis=SUPINE_PELVIS,
        spine=SUPINE_SPINE,
        head_angle=184,
        face=90,
        arms=[
            Arm(hands[0], bend=-1, near=False, front=False, hand_angle=40),
            Arm(hands[1], bend=-1, hand_angle=60, layer=1),
        ],
        legs=[GLUTEAL_STRAIGHT_LEG, right_leg],
    )


def gluteal_from_above() -> Scene:
    """The inset of gluteal stretch #1: the same pose seen from above, head on the left, so the
    person's left side is at the top.  The right knee (blue) is pulled up and ACROSS the body's
    midline (dashed) towards the left shoulder, both hands on it; the left leg lies straight.
    The shin points mostly at the ceiling, so from above it shows short."""
    knee = (-18.0, 16.0)
    right_leg = Leg(
        (6.0, 25.0),
        foot_angle=30,
        hip=TOP_R_HIP,
        knee=knee,
        foot_len=9,
        fold=True,
        key=True,
    )
    body = knee_up_from_above(
        [
            Arm(
                (-11.0, 23.0),
                shoulder=TOP_L_SHOULDER,
                elbow=(-30.0, 28.0),
                hand_angle=-20,
                layer=1,
            ),
            Arm(
                (-14.0, 6.0),
                shoulder=TOP_R_SHOULDER,
                elbow=(-30.0, -10.0),
                hand_angle=70,
                layer=1,
            ),
        ],
        right_leg,
    )
    return Scene(
        title="",
        view="top",
        bodies=(body,),
        guides=(Guide((-90.0, 0.0), (100.0, 0.0)),),
        # Over the knee, towards the left shoulder.
        arrows=(Arrow(((2.0, 37.0), (-14.0, 40.0), (-32.0, 36.0)), width=3.0),),
        tags=(
            Tag((34.0, 30.0), "L", size=40),
            Tag((34.0, -26.0), "R", size=40),
            Tag((-40.0, -31.0), "seen from above", size=34, strong=True),
        ),
    )


GLUTEAL_INSET_CROP = (-84.0, -38.0, 44.0, 44.0)


def gluteal_stretch() -> Scene:
    """Side view: lying on the back, left leg straight; both hands pull the bent right knee up
    past the chest towards the left shoulder (the far one, so the knee also goes across)."""
    knee = polar(SUPINE_PELVIS, 132.0, THIGH)
    body = gluteal_body(knee, -40.0, ((knee[0] - 1, knee[1] + 8), (knee[0] + 6, knee[1] + 2)))
    return Scene(
        title="Buttock (gluteal) stretch",
        view="side",
        bodies=(body,),
        props=(Mat(-92, 100),),
        # From over the knee down to the shoulders: the far (left) one is the aim.
        arrows=(Arrow(((-14.0, 68.0), (-36.0, 64.0), (-50.0, 40.0))),),
        tags=(
            label((-74.0, 48.0), "LEFT shoulder"),
            label((2.0, 54.0), "right knee"),
            label((64.0, 22.0), "left leg straight"),
        ),
        caption="pull the knee to the opposite shoulder",
        inset=Inset(gluteal_from_above(), (744, 16, 436, 279), GLUTEAL_INSET_CROP),
    )


GLUTEAL_2_PELVIS = (0.0, 12.5)


def gluteal_2_body(r_knee: Point, r_ankle: Point, r_foot: float, l_knee: Point) -> Body:
    """Side view with the head on the right, so the crossed (left) leg is the near one: the
    left ankle rests across the right thigh, both hands hold the right thigh."""
    l_ankle = lerp(GLUTEAL_2_PELVIS, r_knee, 0.74)
    return make_body(
        pelvis=GLUTEAL_2_PELVIS,
        spine=(0, 0, -1),
        head_angle=-4,
        face=90,
        arms=[
            Arm((r_knee[0] + 4, r_knee[1] - 8), bend=-1, near=False, front=False),
            # The left hand threads through between the legs to hold the right thigh.
            Arm((r_knee[0] + 6, r_knee[1] - 11), bend=-1),
        ],
        legs=[
            Leg(r_ankle, foot_angle=r_foot, near=False, front=False, knee=r_knee),
            Leg(l_ankle, foot_angle=8, knee=l_knee, foot_len=15, key=True),
        ],
    )


def gluteal_stretch_2() -> Scene:
    """The right thigh (far) pulled up towards the head, its shin level in the air; the left
    leg (near) knee turned out, ankle resting across the right thigh."""
    r_knee = polar(GLUTEAL_2_PELVIS, 74, THIGH)
    body = gluteal_2_body(r_knee, polar(r_knee, 166, SHIN - 2), 80, (-34.0, 22.0))
    return Scene(
        title="Buttock stretch #2",
        view="side",
        bodies=(body,),
        props=(Mat(-70, 86),),
        arrows=(Arrow(((-2.0, 76.0), (20.0, 78.0), (38.0, 66.0))),),
        tags=(
            label((-58.0, 36.0), "left knee out"),
            label((18.0, 92.0), "right thigh pulled up"),
        ),
        caption="left ankle across the right thigh: a figure 4",
    )


def rotation_arms() -> list[Arm]:
    """Arms out from the sides, on the floor."""
    l_hand = (TOP_L_SHOULDER[0] - 3, TOP_L_SHOULDER[1] + 52)
    r_hand = (TOP_R_SHOULDER[0] - 3, TOP_R_SHOULDER[1] - 52)
    return [
        Arm(
            l_hand,
            shoulder=TOP_L_SHOULDER,
            elbow=lerp(TOP_L_SHOULDER, l_hand, 0.53),
            front=False,
            hand_angle=90,
        ),
        Arm(
            r_hand,
            shoulder=TOP_R_SHOULDER,
            elbow=lerp(TOP_R_SHOULDER, r_hand, 0.53),
            front=False,
            hand_angle=-90,
        ),
    ]


def rotation_body(stronger: bool) -> Body:
    """From above: arms out, head turned left (up), knees fallen to the right (down)."""
    arms = rotation_arms()
    if not stronger:
        legs = [
            # Knees stay together: the right leg lies on the floor, the left rests on it.
            # Hip bent ~50 degrees, knee ~90: lying on the floor the legs make an "L".
            Leg(
                (56.0, -20.0),
                foot_angle=-50,
                hip=TOP_R_HIP,
                knee=(26.0, -44.0),
                near=False,
                front=False,
            ),
            Leg((58.0, -12.0), foot_angle=-50, hip=TOP_L_HIP, knee=(29.0, -36.0), front=False),
        ]
    else:
        return rotation_crossed(
            left_knee=(18.0, -32.0),
            left_ankle=(52.0, -20.0),
            right_knee=(10.0, -50.0),
            right_ankle=(24.0, -22.0),
            foot_angle=70,
        )
    return make_body(
        pelvis=TOP_PELVIS,
        spine=TOP_SPINE,
        head_angle=180,
        face=90,
        view="top",
        arms=arms,
        legs=legs,
    )


def rotation_crossed(
    left_knee: Point,
    left_ankle: Point,
    right_knee: Point,
    right_ankle: Point,
    foot_angle: float,
    face_up: bool = False,
) -> Body:
    """From above, head on the left, arms out, the right leg (blue) crossed over the left one
    (pale); :func:`head_up` turns it for the picture.

    With the knees fallen to the right the left hip rolls up, so the left thigh (pale) lies
    over the pelvis, plainly coming out of the left hip; the right thigh lies below it, nearer
    the floor, and the right shin comes back over the left knee so its foot hooks over it and
    presses it down (drawn last, on top)."""
    body = make_body(
        pelvis=TOP_PELVIS,
        spine=TOP_SPINE,
        head_angle=180,
        face=None if face_up else 90,
        face_up=face_up,
        view="top",
        arms=rotation_arms(),
        legs=[
            Leg(
                right_ankle,
                foot_angle=foot_angle,
                hip=TOP_R_HIP,
                knee=right_knee,
                foot_len=12,
                fold=True,
                key=True,
            ),
            Leg(
                left_ankle,
                foot_angle=0,
                hip=TOP_L_HIP,
                knee=left_knee,
                near=False,
                foot_len=12,
            ),
        ],
    )
    arms, (r_thigh, r_shin, left) = body.limbs[:2], body.limbs[2:]
    return head_up(replace(body, limbs=(*arms, r_thigh, left, replace(r_shin, layer=1))))


def turn(p: Point) -> Point:
    """A quarter turn clockwise: head on the left -> head at the top."""
    return (p[1], -p[0])


def head_up(body: Body) -> Body:
    """A top view drawn head on the left, turned so the head is at the top: lying on the back
    seen from above, the person's RIGHT is then on our LEFT, as in the view from the feet."""
    return replace(
        body,
        spine=tuple(turn(p) for p in body.spine),
        head=turn(body.head),
        face=None if body.face is None else turn(body.face),
        limbs=tuple(
            replace(
                lb,
                joints=tuple(turn(p) for p in lb.joints),
                extra=tuple((turn(a), turn(b), r0, r1) for a, b, r0, r1 in lb.extra),
            )
            for lb in body.limbs
        ),
    )


def rotation_stronger_start(face_up: bool = False) -> Body:
    """The start of the stronger rotation: knees up, the right leg crossed over, its foot on
    the outside of the left knee."""
    return rotation_crossed(
        left_knee=(30.0, 11.0),
        left_ankle=(46.0, 10.0),
        right_knee=(30.0, 2.0),
        right_ankle=(34.0, 22.0),
        foot_angle=80,
        face_up=face_up,
    )


def rotation_start(arms: bool = False) -> Body:
    """The start, seen from above: knees bent up, feet flat on the floor.  From above a raised
    knee shows as a short thigh ending in a round knee, then the foot flat beyond it.  With
    ``arms`` (the animation's first frame) the arms are out and the head still faces up."""
    return make_body(
        pelvis=TOP_PELVIS,
        spine=TOP_SPINE,
        head_angle=180,
        face=None if arms else 90,
        face_up=arms,
        view="top",
        arms=rotation_arms() if arms else [],
        legs=[
            Leg(
                (40.0, 10.0),
                foot_angle=0,
                hip=TOP_L_HIP,
                knee=(30.0, 11.0),
                front=False,
                foot_len=18,
                foot_r=(4.0, 5.5),
            ),
            Leg(
                (40.0, -10.0),
                foot_angle=0,
                hip=TOP_R_HIP,
                knee=(30.0, -11.0),
                front=False,
                foot_len=18,
                foot_r=(4.0, 5.5),
            ),
        ],
    )


def rotation_stretch() -> Scene:
    return Scene(
        title="Rotation stretch",
        view="top",
        bodies=(as_ghost(rotation_start()), rotation_body(stronger=False)),
        props=(Mat(-92, 90, -80, 80),),
        arrows=(Arrow(((42.0, 2.0), (48.0, -22.0), (40.0, -46.0))),),
        tags=(
            *side_tags(72.0, -72.0, 74.0),
            label((-60.0, 30.0), "head turned left"),
            label((64.0, 38.0), "pale: start, knees up"),
        ),
        caption="seen from above · head left, knees right",
    )


def rotation_from_feet() -> Scene:
    """The inset of the stronger rotation: the same stretch seen from the feet end, so the
    person's right is on our left, as in the view from above with the head at the top.  The
    chest lies flat, arms out on the floor; both bent knees have tipped over to the right
    towards the floor, the right leg (blue) hooked over the outside of the left knee (pale)."""
    spine = ((-12.0, 10.0), (-4.0, 10.5), (4.0, 10.5), (12.0, 10.0))
    limbs = (
        *(
            Limb(
                (sh, lerp(sh, hand, 0.5), hand, polar(hand, side * 0, 5.0)),
                ARM_R,
                near=True,
                front=False,
                hand=True,
            )
            for side, sh, hand in (
                (-1, (-16.0, 10.0), (-64.0, 4.0)),
                (1, (16.0, 10.0), (64.0, 4.0)),
            )
        ),
        # Right thigh, below the left one, nearer the floor.
        Limb(((-7.0, 8.0), (-44.0, 8.0)), LEG_R[:2], key=True),
        # Left leg: thigh up to the knee, the shin (its own shape, outlined) back to the foot.
        Limb(((8.0, 13.0), (-24.0, 31.0)), LEG_R[:2], near=False, layer=1),
        Limb(
            ((-24.0, 31.0), (22.0, 5.0)),
            LEG_R[1:],
            near=False,
            layer=1,
            extra=(((22.0, 5.0), (24.0, 2.0), 4.2, 4.2),),
        ),
        # Right shin back up over the left knee, the foot resting on top of it.
        Limb(
            ((-44.0, 8.0), (-26.0, 38.0)),
            LEG_R[1:],
            key=True,
            layer=2,
            extra=(((-27.0, 36.0), (-13.0, 43.0), 3.6, 2.6),),
        ),
    )
    body = Body(
        spine=spine,
        torso_r=(11.0, 11.0, 11.0, 11.0),
        head=spine[-1],
        face=None,
        limbs=limbs,
        head_shown=False,
    )
    return Scene(
        title="",
        view="side",
        bodies=(body,),
        props=(Mat(-74, 74),),
        arrows=(Arrow(((-4.0, 50.0), (-30.0, 50.0), (-50.0, 34.0)), width=3.0),),
        tags=(
            Tag((-58.0, 24.0), "R", size=56),
            Tag((58.0, 24.0), "L", size=56),
            Tag((26.0, 66.0), "seen from the feet", size=52, strong=True),
        ),
    )


def rotation_stretch_stronger() -> Scene:
    return Scene(
        title="Rotation stretch (stronger)",
        view="top",
        bodies=(rotation_body(stronger=True),),
        props=(Mat(-82, 82, -80, 96),),
        # Over the knees: they roll to the right (our left).
        arrows=(Arrow(((-34.0, 14.0), (-56.0, 10.0), (-68.0, -8.0))),),
        tags=(
            Tag((-74.0, 86.0), "R"),
            Tag((74.0, 86.0), "L"),
            label((54.0, 66.0), "head turned left"),
            label((-48.0, 56.0), "shoulders flat"),
            label((46.0, -50.0), "right foot on left knee"),
        ),
        caption="seen from above · right leg over left, knees to the right",
        inset=Inset(rotation_from_feet(), (790, 30, 390, 256), (-72.0, -4.0, 72.0, 90.5)),
        extra_bounds=((160.0, 0.0),),
    )


def quadriceps_stretch() -> Scene:
    """Standing, facing right, right side to us; left hand on a chair back.

    The right thigh points at the floor next to the standing leg, pushed a little back; the
    shin folds up *behind* it so the heel comes to the buttock, and the right hand holds the
    foot there.
    """
    pelvis = (0.0, 88.0)
    knee = polar(pelvis, -101, THIGH)  # thigh pushed a little back of vertical
    ankle = polar(knee, 107, SHIN - 1)  # shin folded up behind the thigh, heel at the buttock
    body = make_body(
        pelvis=pelvis,
        spine=(90, 90, 91),
        head_angle=92,
        face=0,
        arms=[
            Arm((33.5, 93.5), bend=1, near=False, front=False, hand_angle=-10),
            # The right hand reaches back and holds the foot against the buttock.
            Arm(polar(ankle, 100, 7.0), bend=1, layer=1),
        ],
        legs=[
            Leg((1.0, 4.0), foot_angle=0, bend=1, near=False, front=False),
            Leg(ankle, foot_angle=100, knee=knee, foot_len=16, fold=True),
        ],
    )
    # Around the hip: the knee swings back.
    hip_arc = tuple(polar(pelvis, a, 57.0) for a in (-84, -98, -112, -124))
    return Scene(
        title="Quadriceps stretch",
        view="side",
        bodies=(body,),
        props=(Chair(x=52.0, back_side=-1),),
        arrows=(Arrow(hip_arc, width=3.4),),
        tags=(
            label((-44.0, 62.0), "right knee back"),
            label((74.0, 100.0), "left hand on the chair"),
        ),
        caption="knee points down, push it back",
        floor_y=668,
        top_margin=34,
    )


def psoas_body(pelvis: Point, front_knee: Point) -> Body:
    back_knee = (-22.0, 5.0)
    return make_body(
        pelvis=pelvis,
        spine=(88, 90, 91),
        head_angle=90,
        face=0,
        arms=[
            Arm((front_knee[0] - 2, front_knee[1] + 5), bend=-1, near=False, front=False),
            Arm((front_knee[0] - 6, front_knee[1] + 6), bend=-1, near=True, front=True),
        ],
        legs=[
            # Left foot forward, knee bent over (not past) the foot.
            Leg((46.0, 4.0), foot_angle=0, near=False, front=False, knee=front_knee),
            # Kneeling on the right knee, shin flat behind: the leg that is stretched (blue).
            Leg((-64.0, 4.5), foot_angle=182, near=True, front=True, knee=back_knee, key=True),
        ],
    )


def psoas_stretch() -> Scene:
    # Start: pelvis over the kneeling knee.  Stretch: hips forward, front knee over the foot.
    start = psoas_body((-20.0, 47.0), (40.0, 47.0))
    stretch = psoas_body(polar((-22.0, 5.0), 72, THIGH), (46.0, 46.0))
    return Scene(
        title="Psoas stretch",
        view="side",
        bodies=(as_ghost(start), stretch),
        props=(Mat(-84, 80),),
        arrows=(Arrow(((-40.0, 62.0), (-14.0, 62.0)), width=3.4),),
        guides=(Guide((64.0, 0.0), (64.0, 66.0)),),
        tags=(
            label((-30.0, -9.0), "right knee down"),
            label((64.0, -9.0), "knee not past foot"),
        ),
        caption="kneel upright, move the hips forward",
    )


def psoas_stronger_body(pelvis: Point, spine: Sequence[float], head_angle: float) -> Body:
    """A lunge, back leg straight behind, hands on a chair seat; ``pelvis`` and ``spine`` set
    how deep and how far forward."""
    return make_body(
        pelvis=pelvis,
        spine=spine,
        head_angle=head_angle,
        face=10,
        arms=[
            Arm((70.0, 49.0), bend=1, near=False, front=False, hand_angle=0),
            Arm((67.0, 49.0), bend=1, near=True, front=True, hand_angle=0),
        ],
        legs=[
            Leg((44.0, 4.0), foot_angle=0, bend=1, near=False, front=False),
            # The back leg straight, knee off the floor, on the toes (blue: it is stretched).
            Leg((-76.0, 15.0), foot_angle=-110, bend=1, foot_len=15, key=True),
        ],
    )


def psoas_stretch_stronger() -> Scene:
    """Deep, slow lunge: back leg straight behind, straight back, hands on a chair seat."""
    body = psoas_stronger_body((0.0, 44.0), (52, 52, 52), 48)
    return Scene(
        title="Psoas stretch (stronger)",
        view="side",
        bodies=(body,),
        props=(Mat(-96, 66), Chair(x=88.0, back_side=1)),
        # Over the head: the straight trunk leans forward.
        arrows=(Arrow(((18.0, 118.0), (40.0, 121.0), (58.0, 108.0)), width=3.4),),
        guides=(Guide((62.0, 0.0), (62.0, 62.0)),),
        tags=(
            label((-58.0, -9.0), "right knee up"),
            label((62.0, -9.0), "knee not past foot"),
        ),
        caption="hands on a chair, lean forward, back leg straight",
    )


def hamstring_body(near_ankle: Point, near_knee: Point | None, foot: float) -> Body:
    return make_body(
        pelvis=(-7.5, 19.5),
        spine=(92, 90, 90),
        head_angle=90,
        face=0,
        arms=[
            Arm((18.0, 50.0), bend=-1, near=False, front=False),
            Arm((14.0, 10.0), bend=1, near=True, front=True, hand_angle=0),
        ],
        legs=[
            Leg((40.0, 4.5), foot_angle=0, bend=1, near=False, front=False),
            Leg(near_ankle, foot_angle=foot, bend=1, near=True, front=True, knee=near_knee),
        ],
    )


def hamstring_stretch_floor() -> Scene:
    start = hamstring_body((42.0, 4.5), None, 0)
    stretch = hamstring_body((74.0, 5.0), None, 70)
    return Scene(
        title="Hamstring stretch along the floor",
        view="side",
        bodies=(as_ghost(start), stretch),
        props=(Wall(-20.0), Cushion(-20.0, 22.0)),
        # Along the floor, from the bent leg's foot to the straight leg's: the knee straightens
        # and the foot slides away (not "lean forward", not "press the knee down").
        arrows=(Arrow(((50.0, 24.0), (66.0, 26.0), (84.0, 22.0))),),
        tags=(label((68.0, 42.0), "straighten one knee"),),
        caption="back and bottom stay against the wall",
    )


def table_stretch_bias(shift: float) -> Body:
    """From above, head at the top, the person's back towards us (their left is our left).

    ``shift`` is how far the hands were walked sideways (cm, negative = to the left); the
    spine follows in a curve, which is what stretches the opposite side.
    """
    bend = shift / 40.0
    spine = spine_points((0.0, -12.0), (90 - 4 * bend, 90 - 22 * bend, 90 - 40 * bend))
    neck_dir = 90 - 40 * bend
    l_sh = polar(spine[3], neck_dir + 90, SHOULDER_HALF_WIDTH)
    r_sh = polar(spine[3], neck_dir - 90, SHOULDER_HALF_WIDTH)
    hand_dir = 90 - 52 * bend
    # Arms reach forward almost level in this stretch, so they keep most of their length.
    l_hand, r_hand = polar(l_sh, hand_dir, 48), polar(r_sh, hand_dir, 48)
    return make_body(
        pelvis=(0.0, -12.0),
        spine=(90 - 4 * bend, 90 - 22 * bend, 90 - 40 * bend),
        head_angle=90 - 46 * bend,
        face=None,
        view="top",
        arms=[
            # Drawn under the torso and head: the head hangs between the arms, and a head
            # hidden behind an arm made the pose hard to read.
            Arm(
                l_hand,
                shoulder=l_sh,
                elbow=lerp(l_sh, l_hand, 0.52),
                hand_angle=hand_dir,
                front=False,
            ),
            Arm(
                r_hand,
                shoulder=r_sh,
                elbow=lerp(r_sh, r_hand, 0.52),
                hand_angle=hand_dir,
                front=False,
            ),
        ],
        legs=[table_bias_leg(side) for side in (-1, 1)],
    )


def table_bias_leg(side: int) -> Leg:
    """Kneeling leg seen from above; ``side`` -1 is the person's left (our left), +1 the right.

    The knee is under the belly, a little wider than the hip so the folded thigh shows beside
    the waist; the shin lies on the floor and comes out behind the buttocks, sole up.  The
    buttocks sit back less deep than in the side view so the shins stay readable from above.
    """
    return Leg(
        (side * 10.5, -36.0),
        foot_angle=-90 - side * 14,  # toes turned in a little, as when kneeling
        hip=(side * 9.0, -12.0),
        knee=(side * 19.0, 4.0),
        front=False,
        foot_len=14,
        foot_r=(3.2, 6.0),
        fold=True,
    )


def table_stretch_right_bias() -> Scene:
    """From above, hands walked to the left: the body curves to the left and the right side
    (dashed) lengthens.  The inset shows the same kneeling stretch from the side."""
    body = table_stretch_bias(-40.0)
    radii = TORSO_R["top"]
    flank = tuple(lateral(body.spine, i, -(radii[i] + 5.0)) for i in range(len(body.spine)))
    return Scene(
        title="Table stretch (right side)",
        view="top",
        bodies=(as_ghost(table_stretch_bias(0.0)), body),
        props=(Mat(-80, 80, -66, 104),),
        # The hands walk from where the pale figure has them to the left.
        arrows=(Arrow(((6.0, 97.0), (-20.0, 100.0), (-42.0, 88.0))),),
        zones=(Zone(flank),),
        tags=(
            Tag((-62.0, 20.0), "L"),
            Tag((62.0, 20.0), "R"),
            label((-46.0, 110.0), "hands to the left"),
            label((46.0, -22.0), "right side stretches"),
        ),
        caption="seen from above · hands to the left",
        inset=Inset(table_stretch(), (866, 20, 320, 189)),
        extra_bounds=((-46.0, 116.0),),
    )


def table_stretch_left_bias() -> Scene:
    """The mirror image: hands to the right, the left side stretches.  The labels are laid
    again, never mirrored; the side view in the inset is the same."""
    scene = mirrored(
        table_stretch_right_bias(),
        "Table stretch (left side)",
        "seen from above · hands to the right",
    )
    return replace(
        scene,
        tags=(
            Tag((-62.0, 20.0), "L"),
            Tag((62.0, 20.0), "R"),
            label((46.0, 110.0), "hands to the right"),
            label((-46.0, -22.0), "left side stretches"),
        ),
    )


SCENES: dict[str, Callable[[], Scene]] = {
    "table-stretch": table_stretch,
    "table-stretch-right-bias": table_stretch_right_bias,
    "table-stretch-left-bias": table_stretch_left_bias,
    "pelvic-tilt": pelvic_tilt,
    "knee-hugs": knee_hugs,
    "knee-hug-one-knee": knee_hug_one_knee,
    "gluteal-stretch": gluteal_stretch,
    "gluteal-stretch-2": gluteal_stretch_2,
    "rotation-stretch": rotation_stretch,
    "rotation-stretch-stronger": rotation_stretch_stronger,
    "quadriceps-stretch": quadriceps_stretch,
    "psoas-stretch": psoas_stretch,
    "psoas-stretch-stronger": psoas_stretch_stronger,
    "hamstring-stretch-floor": hamstring_stretch_floor,
}


# --------------------------------------------------------------------------------------------
# Animations: the same drawing in motion, start position -> stretch -> hold, looping.
# --------------------------------------------------------------------------------------------
ANIMATION_SIZE = (600, 400)  # half the still: light enough for mobile data, sharp in a chat
FRAME_MS = 80  # the movement, ~12 frames a second
START_MS = 700  # a still moment in the start position
HOLD_MS = 1600  # the hold, the longest part
MOVE_FRAMES = 13
RETURN_FRAMES = 5


def lying_arms_down(spine: Sequence[float] = SUPINE_SPINE, far_leg: Leg | None = None) -> Body:
    """On the back, arms by the sides, knees up and feet on the floor (``far_leg`` replaces
    the far one)."""
    return make_body(
        pelvis=SUPINE_PELVIS,
        spine=spine,
        head_angle=184,
        face=90,
        arms=[arm_by_side(False), arm_by_side(True)],
        legs=[far_leg or bent_leg_on_floor(False, dx=3), bent_leg_on_floor(True)],
    )


def start_pelvic_tilt() -> Body:
    """The hollow of the lower back still off the floor."""
    return lying_arms_down(spine=(170.0, 190.0, 181.0))


def start_knee_hugs() -> Body:
    """Knees up, feet on the floor, arms by the sides; the legs drawn folded, as in the hug."""
    return make_body(
        pelvis=SUPINE_PELVIS,
        spine=SUPINE_SPINE,
        head_angle=184,
        face=90,
        arms=[arm_by_side(False), arm_by_side(True)],
        legs=[
            replace(bent_leg_on_floor(False, dx=3), fold=True),
            replace(bent_leg_on_floor(True), fold=True),
        ],
    )


def start_knee_hug_one_knee() -> Body:
    """The other leg already lies straight."""
    return lying_arms_down(
        far_leg=Leg((86.0, 5.0), foot_angle=80, near=False, front=False, knee=(43.0, 7.0))
    )


def start_gluteal_stretch() -> Body:
    """The left leg already straight, the right knee up with the foot on the floor, the arms by
    the sides."""
    knee, ankle = ik(SUPINE_PELVIS, (44.0, 4.5), THIGH, SHIN - 2, 1)
    body = gluteal_body(knee, angle_of(knee, ankle), ((0.0, 0.0), (0.0, 0.0)), foot=0.0)
    arms = make_body(
        pelvis=SUPINE_PELVIS,
        spine=SUPINE_SPINE,
        head_angle=184,
        face=90,
        arms=[arm_by_side(False), arm_by_side(True)],
        legs=[],
    ).limbs
    return replace(body, limbs=(*arms, *body.limbs[2:]))


def start_gluteal_stretch_2() -> Body:
    """The left ankle already crossed over the right knee, the right foot still on the floor."""
    r_knee = polar(GLUTEAL_2_PELVIS, 140, THIGH)
    r_ankle = (r_knee[0] - math.sqrt((SHIN - 2) ** 2 - (r_knee[1] - 5.0) ** 2), 5.0)
    l_ankle = lerp(GLUTEAL_2_PELVIS, r_knee, 0.74)
    return gluteal_2_body(r_knee, r_ankle, 180, (l_ankle[0] - 22, l_ankle[1] - 8))


def start_quadriceps_stretch() -> Body:
    """Standing tall, both feet down, the right hand by the side."""
    pelvis = (0.0, 88.0)
    knee = polar(pelvis, -90, THIGH)
    ankle = polar(knee, -90, SHIN - 1)
    return make_body(
        pelvis=pelvis,
        spine=(90, 90, 91),
        head_angle=92,
        face=0,
        arms=[
            Arm((33.5, 93.5), bend=1, near=False, front=False, hand_angle=-10),
            Arm((2.0, 62.0), bend=1, layer=1),
        ],
        legs=[
            Leg((1.0, 4.0), foot_angle=0, bend=1, near=False, front=False),
            Leg(ankle, foot_angle=0, knee=knee, foot_len=16, fold=True),
        ],
    )


def start_psoas_stretch_stronger() -> Body:
    """Upright in a shallow lunge, hands already on the chair."""
    return psoas_stronger_body((-2.0, 52.0), (56, 57, 58), 56)


# Where a scene's pale start figure can't be the animation's start (there is none, or it lacks
# the arms), the start position is drawn here.  Every other scene starts from its pale figure.
ANIMATION_STARTS: dict[str, Callable[[], Body]] = {
    "pelvic-tilt": start_pelvic_tilt,
    "knee-hugs": start_knee_hugs,
    "knee-hug-one-knee": start_knee_hug_one_knee,
    "gluteal-stretch": start_gluteal_stretch,
    "gluteal-stretch-2": start_gluteal_stretch_2,
    "rotation-stretch": lambda: rotation_start(arms=True),
    "rotation-stretch-stronger": lambda: rotation_stronger_start(face_up=True),
    "quadriceps-stretch": start_quadriceps_stretch,
    "psoas-stretch-stronger": start_psoas_stretch_stronger,
}


def blend(a: Body, b: Body, t: float) -> Body:
    """The body ``t`` of the way from pose ``a`` to pose ``b`` (same limbs, joint by joint)."""
    if len(a.limbs) != len(b.limbs) or len(a.spine) != len(b.spine):
        raise ValueError("the two poses must have the same limbs")

    def pts(p: Sequence[Point], q: Sequence[Point]) -> tuple[Point, ...]:
        if len(p) != len(q):
            raise ValueError("the two poses must have the same joints")
        return tuple(lerp(x, y, t) for x, y in zip(p, q, strict=True))

    face: Point | None = b.face
    if a.face is not None and b.face is not None:
        face = lerp(a.face, b.face, t)
    elif a.face is None and b.face is not None:
        face = b.face if t > 0.5 else None
    elif a.face is not None and b.face is None:
        face = a.face if t < 0.5 else None
    limbs = tuple(
        replace(
            lb,
            joints=pts(la.joints, lb.joints),
            extra=tuple(
                (lerp(p0, q0, t), lerp(p1, q1, t), r0, r1)
                for (p0, p1, _, _), (q0, q1, r0, r1) in zip(la.extra, lb.extra, strict=True)
            ),
        )
        for la, lb in zip(a.limbs, b.limbs, strict=True)
    )
    return replace(
        b, spine=pts(a.spine, b.spine), head=lerp(a.head, b.head, t), face=face, limbs=limbs
    )


def animation_poses(stretch_id: str) -> tuple[Scene, Body, Body]:
    """The still, and the start and end poses of its animation."""
    still = SCENES[stretch_id]()
    end = still.bodies[-1]
    make_start = ANIMATION_STARTS.get(stretch_id)
    start = make_start() if make_start is not None else replace(still.bodies[0], ghost=False)
    return still, start, end


def ease(t: float) -> float:
    return t * t * (3 - 2 * t)


def animation_frame(stretch_id: str, t: float) -> Image.Image:
    """One frame, ``t`` of the way from the start (0) to the stretch (1), at animation size.

    Drawn with less supersampling than the still (the frame is half its size anyway), framed
    exactly like the still, with its pale start figure, props, arrows and labels."""
    global SUPERSAMPLE
    still, start, end = animation_poses(stretch_id)
    ghosts = tuple(b for b in still.bodies[:-1] if b.ghost)
    scene = replace(still, bodies=(*ghosts, blend(start, end, ease(t))))
    saved = SUPERSAMPLE
    SUPERSAMPLE = 1  # the 2x downsizing to ANIMATION_SIZE does the antialiasing
    try:
        frame = render_rgb(scene, framing=still)
    finally:
        SUPERSAMPLE = saved
    return frame.resize(ANIMATION_SIZE, Image.Resampling.LANCZOS)


def animation_timeline() -> list[tuple[float, int]]:
    """(t, duration in ms) of every frame: start, move, hold, move back."""
    frames = [(0.0, START_MS)]
    frames += [(i / MOVE_FRAMES, FRAME_MS) for i in range(1, MOVE_FRAMES)]
    frames += [(1.0, HOLD_MS)]
    frames += [(1 - i / (RETURN_FRAMES + 1), FRAME_MS) for i in range(1, RETURN_FRAMES + 1)]
    return frames


def save_animation(stretch_id: str, path: Path) -> None:
    """A looping GIF: one palette for every frame (from the still), no dithering."""
    timeline = animation_timeline()
    frames = [animation_frame(stretch_id, t) for t, _ in timeline]
    palette = frames[len(frames) // 2].quantize(
        colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    indexed = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    indexed[0].save(
        path,
        save_all=True,
        append_images=indexed[1:],
        duration=[ms for _, ms in timeline],
        loop=0,
        optimize=False,
        disposal=1,
    )


def build_all() -> dict[str, Scene]:
    return {name: make() for name, make in SCENES.items()}


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate the PNGs and the GIFs (all, or the ids given on the command line).

    ``--stills``: the PNGs only (the animations take a minute or two)."""
    args = list(sys.argv[1:] if argv is None else argv)
    stills_only = "--stills" in args
    args = [a for a in args if a != "--stills"]
    scenes = build_all()
    for name in args or list(scenes):
        path = OUT_DIR / f"{name}.png"
        # No timestamps or text chunks: the same drawing always gives the same bytes.
        render(scenes[name]).save(path, optimize=True)
        print(f"{path.name}: {path.stat().st_size / 1024:.0f} KiB")
        if not stills_only:
            gif = OUT_DIR / f"{name}.gif"
            save_animation(name, gif)
            print(f"{gif.name}: {gif.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
