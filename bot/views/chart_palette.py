"""The charts' colours (/progress, the practitioner's card, the visit report): the pictures'
cream background, teal for activity, a warm outline for today, red for pain."""

BACKGROUND = "#f7f3ec"
EMPTY = "#e6dfd3"
SHADES = ["#e6dfd3", "#9cc9c4", "#4f9e98", "#2c7873", "#1b4f4c"]
INK = "#27403f"
TODAY_EDGE = "#e07a2f"
FROZEN = "#3b7bbf"
PAIN_LINE = "#c0392b"
