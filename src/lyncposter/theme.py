"""All styling in one place: fonts, zone colours, protocol families, role icons.

Styling is data: the panels, the legend and the PDF read these tables and
nothing else. Every family keeps a distinct line style as well as a colour so
the poster still reads when printed in black and white.
"""

from __future__ import annotations

from dataclasses import dataclass

FONT = "DejaVu Sans"
FONT_BOLD = "DejaVu Sans Bold"
FONT_FILES = {
    FONT: "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    FONT_BOLD: "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
}

# Panel sizes, in points at 100 %.
NODE_FONT_SIZE = 11.0
NODE_WRAP = 22  # characters to a line of a role's label
EDGE_FONT_SIZE = 9.0
ZONE_FONT_SIZE = 13.0
TITLE_FONT_SIZE = 18.0
ICON_SIZE = 22.0

INK = "#1f2933"
MUTED = "#52606d"
PAPER = "#ffffff"
UNSURE_MARK = "?"
UNSURE_COLOUR = "#b44d00"


@dataclass(frozen=True)
class ZoneStyle:
    fill: str
    border: str


# Zones are coloured by where they stand, outside in: the outermost blue, the innermost
# green, the ones between them amber, then lilac, then grey, whatever the product calls them.
OUTERMOST_ZONE = ZoneStyle(fill="#eef4fb", border="#9fb3c8")
INNERMOST_ZONE = ZoneStyle(fill="#eef7ee", border="#8fbf8f")
BETWEEN_ZONES = (
    ZoneStyle(fill="#fdf6e7", border="#d9b56c"),
    ZoneStyle(fill="#f5effa", border="#b59fcf"),
    ZoneStyle(fill="#f5f5f5", border="#bbbbbb"),
)


def zone_style(order: int, count: int) -> ZoneStyle:
    """The style of the zone at `order` (0 outermost) among `count` zones."""
    if order == 0:
        return OUTERMOST_ZONE
    if order == count - 1:
        return INNERMOST_ZONE
    return BETWEEN_ZONES[min(order - 1, len(BETWEEN_ZONES) - 1)]

FIREWALL_FILL = "#c0392b"
FIREWALL_MORTAR = "#f3d3cf"
FIREWALL_WIDTH = 14.0
WALL_GAP = 3.0  # between a zone and the wall it ends at
LINE_CLEARANCE = 6.0  # at least between a line routed around the roles and its zone's edge


def firewall_name_lines(label: str) -> list[str]:
    """A firewall's name as written above its wall: two lines, split at the middle word."""
    words = label.split()
    half = len(words) // 2 or 1
    return [line for line in (" ".join(words[:half]), " ".join(words[half:])) if line]


@dataclass(frozen=True)
class Family:
    """How every connection of one protocol family is drawn, and named in the legend."""

    id: str
    label: str
    colour: str
    style: str  # a Graphviz edge style: solid, dashed, dotted, bold
    width: float
    description: str


FAMILIES: dict[str, Family] = {
    f.id: f
    for f in (
        Family("signalling", "Signalling", "#1f5fbf", "solid", 1.6, "Call and session signalling, messaging and conference control"),
        Family("federation", "Federation", "#7b3fa0", "bold", 2.4, "Connections with other organisations"),
        Family("web", "Web", "#1e8a4c", "solid", 1.2, "Web services and downloads"),
        Family("conferencing", "Web conferencing", "#0f8b8d", "dashed", 1.8, "Meeting content and data collaboration"),
        Family("media", "Media", "#d1495b", "dashed", 1.4, "Audio, video and desktop sharing"),
        Family("relay", "Media relay", "#e07a1f", "dotted", 2.0, "NAT traversal through a media relay"),
        Family("queueing", "Queueing", "#8d6e3f", "dotted", 1.4, "Message queues"),
        Family("storage", "Data and directory", "#5b6b7a", "solid", 1.0, "Databases, file shares, directory"),
        Family("push", "Push notification", "#b0287a", "dashed", 1.4, "Phone platform push services"),
    )
}

# The dash patterns Graphviz writes for each edge style, for drawing the legend's samples.
DASHES: dict[str, tuple[float, ...] | None] = {"solid": None, "bold": None, "dashed": (5, 2), "dotted": (1, 5)}
ARROW_LABELS = {
    "from": "Connection opened by the side without the arrowhead",
    "both": "Either side opens the connection",
}

# The poster sheet, designed at ARCH E (48 x 36 in) and scaled with the paper.
SHEET_TITLE_SIZE = 46.0
SHEET_VERSION_SIZE = 64.0
SHEET_META_SIZE = 17.0
SECTION_HEADING_SIZE = 20.0
SECTION_TEXT_SIZE = 10.0
TABLE_TEXT_SIZE = 8.5
RULE_TABLE_TEXT_SIZE = 10.5  # the firewall sheet's tables are its main text: never smaller than this
RULE_TABLE_TEXT_SIZES = (18.0, 16.0, 15.0, 14.0, 13.0, 12.0, 11.0, RULE_TABLE_TEXT_SIZE)  # tried largest first
FOOTER_SIZE = 8.5
LINK_COLOUR = "#1f5fbf"
CARD_BORDER = "#c3ccd6"
HEADER_FILL = "#1f2933"

# Role icons, drawn in a 24 x 24 box, with stroke and fill taken from `currentColor`
# so one definition serves every theme. Vector shapes embedded in the SVG: no files.
ICON_LABELS: dict[str, str] = {
    "server": "Server role",
    "database": "SQL Server database",
    "client": "Client (PC)",
    "phone": "Desk phone",
    "mobile": "Mobile device",
    "cloud": "External service or organisation",
    "gateway": "Gateway or PBX",
    "proxy": "Reverse proxy",
    "share": "File share",
    "edge": "Edge role",
}
ROLE_FILL = {"server": "#ffffff", "client": "#fffdf5", "external": "#f7f9fc"}
ROLE_BORDER = "#7b8794"
GROUP_FILL = "#fbe9c6"
