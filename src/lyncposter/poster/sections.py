"""The poster's text sections as reportlab flowables: legend, notes, certificates, DNS, resources.

Everything here is built from the dataset and the theme; nothing is drawn by
hand. Sizes come from a `Type` so the whole sheet scales with the paper.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from .platypus import Flowable, Spacer, Table, TableStyle  # first: reportlab's graphics import platypus

from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth

from .. import theme
from ..legend import legend as legend_content
from ..changes import MARKS, Changes
from ..firewall import RuleSet
from ..model import ChangelogEntry, Dataset, Interface, Note, Workload
from .paragraph import Paragraph
from .qr import qr_code

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

UNSURE = f'<font color="{theme.UNSURE_COLOUR}"><b>{theme.UNSURE_MARK}</b></font>'


@dataclass(frozen=True)
class Type:
    """Font sizes for one sheet: the design sizes times the sheet's factor."""

    factor: float

    def size(self, design: float) -> float:
        return round(design * self.factor, 2)

    @property
    def smallest(self) -> float:
        return min(self.size(s) for s in (theme.TABLE_TEXT_SIZE, theme.FOOTER_SIZE, theme.SECTION_TEXT_SIZE))

    def style(self, name: str, design: float, bold: bool = False, colour: str = theme.INK, **extra: float) -> ParagraphStyle:
        """A paragraph style at this type size: one object per kind, so what is measured of a
        paragraph in one style serves every paragraph in it."""
        return _style(self.size(design), name, bold, colour, tuple(sorted(extra.items())))

    @property
    def heading(self) -> ParagraphStyle:
        return self.style("heading", theme.SECTION_HEADING_SIZE, bold=True, spaceAfter=self.size(6), spaceBefore=self.size(4))

    @property
    def subheading(self) -> ParagraphStyle:
        return self.style("subheading", theme.SECTION_TEXT_SIZE + 1.5, bold=True, spaceBefore=self.size(6), spaceAfter=self.size(2))

    @property
    def text(self) -> ParagraphStyle:
        return self.style("text", theme.SECTION_TEXT_SIZE, spaceAfter=self.size(2))

    @property
    def cell(self) -> ParagraphStyle:
        return self.style("cell", theme.TABLE_TEXT_SIZE)

    @property
    def cell_head(self) -> ParagraphStyle:
        return self.style("cell-head", theme.TABLE_TEXT_SIZE, bold=True, colour="#ffffff")


@cache
def _style(size: float, name: str, bold: bool, colour: str, extra: tuple[tuple[str, float], ...]) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=theme.FONT_BOLD if bold else theme.FONT,
        fontSize=size,
        leading=round(size * 1.25, 2),
        textColor=colors.HexColor(colour),
        **dict(extra),
    )


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _unsure(reason: str) -> str:
    return f' {UNSURE} <font color="{theme.UNSURE_COLOUR}"><i>{_esc(reason)}</i></font>' if reason else ""


def _sources(tags: tuple[str, ...]) -> str:
    return f' <font color="{theme.MUTED}">[{", ".join(tags)}]</font>' if tags else ""


# --- legend ------------------------------------------------------------------


def _line_sample(t: Type, colour: str, style: str, width: float, both: bool = False) -> Drawing:
    w, h = t.size(64), t.size(12)
    d = Drawing(w, h)
    c = colors.HexColor(colour)
    head = t.size(5)
    d.add(Line(head if both else 0, h / 2, w - head, h / 2, strokeColor=c, strokeWidth=width * t.factor, strokeDashArray=theme.DASHES.get(style)))
    d.add(Polygon([w - head, h / 2 - head / 2, w, h / 2, w - head, h / 2 + head / 2], fillColor=c, strokeColor=c, strokeWidth=0.1))
    if both:
        d.add(Polygon([head, h / 2 - head / 2, 0, h / 2, head, h / 2 + head / 2], fillColor=c, strokeColor=c, strokeWidth=0.1))
    return d


class _Square(Flowable):
    """A picture `size` points across, drawn straight on the canvas."""

    def __init__(self, size: float):
        super().__init__()
        self.size = size
        self.width = self.height = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size


class IconFlowable(_Square):
    """A role's icon, `size` points across, drawn from the same shapes as the panels'."""

    def __init__(self, icon: str, size: float):
        super().__init__(size)
        self.icon = icon

    def draw(self) -> None:
        from ..icons import ICONS
        from ..paint.pdf import draw_items

        canvas = self.canv
        canvas.saveState()
        canvas.translate(0, self.size)
        canvas.scale(self.size / 24, -self.size / 24)  # the icon's 24-unit box, y downwards
        draw_items(canvas, ICONS[self.icon])
        canvas.restoreState()


def _swatch(t: Type, fill: str, border: str) -> Drawing:
    w, h = t.size(64), t.size(12)
    d = Drawing(w, h)
    d.add(Rect(0, 0, w, h, rx=t.size(3), fillColor=colors.HexColor(fill), strokeColor=colors.HexColor(border)))
    return d


def _wall(t: Type) -> Drawing:
    w, h = t.size(64), t.size(12)
    d = Drawing(w, h)
    d.add(Rect(w / 2 - t.size(7), 0, t.size(14), h, fillColor=colors.HexColor(theme.FIREWALL_FILL), strokeColor=None))
    return d


_LEGENDS: dict[tuple[int, Type], tuple[Dataset, list[list[object]], list[list[object]]]] = {}


def _legend_rows(data: Dataset, t: Type) -> tuple[list[list[object]], list[list[object]]]:
    """The legend's rows and its icons' grid, made once per type size: a sheet measures its side
    column at several widths, and only the tables' widths change."""
    found = _LEGENDS.get((id(data), t))
    if found is None or found[0] is not data:
        if len(_LEGENDS) >= PARSED_KEPT:
            _LEGENDS.pop(next(iter(_LEGENDS)))
        found = _LEGENDS[(id(data), t)] = (data, *_make_legend_rows(data, t))
    return found[1], found[2]


def legend(data: Dataset, t: Type, width: float) -> list[Flowable]:
    """Only what the data uses: families, zones, icons, arrow meanings, the unsure mark."""
    rows, icon_grid = _legend_rows(data, t)
    first = t.size(72)
    main = Table([list(row) for row in rows], colWidths=[first, width - first], hAlign="LEFT")
    main.setStyle(TableStyle(_padding(t, 4, 2) + [("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    icons = Table([list(row) for row in icon_grid], colWidths=[t.size(24), width / 2 - t.size(24)] * 2, hAlign="LEFT")
    icons.setStyle(TableStyle(_padding(t, 2, 2) + [("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return [Paragraph("Legend", t.heading), main, Spacer(1, t.size(4)), icons]


def _make_legend_rows(data: Dataset, t: Type) -> tuple[list[list[object]], list[list[object]]]:
    content = legend_content(data)
    rows: list[list[object]] = []
    for entry in content.families:
        family = entry.family
        text = f"<b>{_esc(family.label)}</b><br/>{_esc(', '.join(entry.protocols))}"
        rows.append([_line_sample(t, family.colour, family.style, family.width), Paragraph(text, t.cell)])
    ink = theme.MUTED
    rows.append([_line_sample(t, ink, "solid", 1.4), Paragraph(_esc(theme.ARROW_LABELS["from"]), t.cell)])
    rows.append([_line_sample(t, ink, "solid", 1.4, both=True), Paragraph(_esc(theme.ARROW_LABELS["both"]), t.cell)])
    for zone in content.zones:
        style = theme.zone_style(zone.order, len(data.catalog.zones))
        rows.append([_swatch(t, style.fill, style.border), Paragraph(_esc(zone.label), t.cell)])
    rows.append([_wall(t), Paragraph("Firewall between two zones", t.cell)])
    rows.append(
        [
            Paragraph(f'<para alignment="center">{UNSURE}</para>', t.style("mark", theme.SECTION_TEXT_SIZE + 2)),
            Paragraph("Not confirmed by the sources at hand; the reason is given beside it", t.cell),
        ]
    )
    icon_rows = [[IconFlowable(i, t.size(20)), Paragraph(_esc(theme.ICON_LABELS[i]), t.cell)] for i in content.icons]
    half = (len(icon_rows) + 1) // 2
    icon_grid: list[list[object]] = [a + b for a, b in zip(icon_rows[:half], icon_rows[half:] + [["", ""]])]
    return rows, icon_grid


# --- notes -------------------------------------------------------------------


def notes(data: Dataset, t: Type) -> list[Flowable]:
    """The workloads' notes under one heading; nothing at all when no workload has a note."""
    story: list[Flowable] = []
    for workload in data.workloads:
        if workload.notes:
            story.extend(_workload_notes(workload, t))
    return [Paragraph("Notes", t.heading), *story] if story else []


def _workload_notes(workload: Workload, t: Type, notes: tuple[Note, ...] | None = None) -> list[Flowable]:
    parts: list[Flowable] = [Paragraph(_esc(workload.title), t.subheading)]
    for note in workload.notes if notes is None else notes:
        text = f"<b>{_esc(note.title)}.</b> {_esc(note.text)}" if note.text else f"<b>{_esc(note.title)}</b>"
        block: list[Flowable] = [Paragraph(text + _unsure(note.unsure), t.text)]
        for number, step in enumerate(note.steps, start=1):
            block.append(Paragraph(_esc(step), t.style("step", theme.SECTION_TEXT_SIZE, leftIndent=t.size(14), bulletIndent=t.size(2)), bulletText=f"{number}."))
        parts.extend(block)
    return parts


# --- certificates and DNS ------------------------------------------------------


CELL_ACROSS = 3.0  # design points of padding either side of a table's cell text
CELL_DOWN = 2.0  # ... and above and below it


def _padding(t: Type, across: float, down: float) -> list[tuple[object, ...]]:
    """Cell padding that scales with the sheet, as the type does."""
    return [
        ("LEFTPADDING", (0, 0), (-1, -1), t.size(across)),
        ("RIGHTPADDING", (0, 0), (-1, -1), t.size(across)),
        ("TOPPADDING", (0, 0), (-1, -1), t.size(down)),
        ("BOTTOMPADDING", (0, 0), (-1, -1), t.size(down)),
    ]


_PARSED: dict[tuple[object, ...], list[list[Paragraph]]] = {}
PARSED_KEPT = 16


def _cells(header: list[str], rows: list[list[str]], t: Type, text: float) -> list[list[Paragraph]]:
    """A table's cells as paragraphs, parsed once per type size: a sheet is measured at several
    widths, and a paragraph wraps anew at each."""
    key = (t.factor, text, tuple(header), tuple(tuple(row) for row in rows))
    found = _PARSED.get(key)
    if found is None:
        cell = t.style("cell", text)
        head = t.style("cell-head", text, bold=True, colour="#ffffff")
        found = [[Paragraph(h, head) for h in header]] + [[Paragraph(c, cell) for c in row] for row in rows]
        if len(_PARSED) >= PARSED_KEPT:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = found
    return found


class Grid(Flowable):
    """A table of paragraph cells, measured without building it: its height at a width is
    reportlab's (a row is its tallest cell and the cell's padding, the rows summed as reportlab
    sums them), found from the cells' fast heights. Planning measures the certificates and the
    DNS records many times; reportlab's Table, which styles every cell when it is made, is built
    only to draw or split (a test holds the two to the same heights)."""

    def __init__(self, cells: list[list[Paragraph]], widths: list[float], t: Type):
        super().__init__()
        self.cells, self.widths, self.t = cells, widths, t
        self.pad_across, self.pad_down = t.size(CELL_ACROSS), t.size(CELL_DOWN)
        self.hAlign = "LEFT"
        self._table: Table | None = None

    def table(self) -> Table:
        if self._table is None:
            rows = [list(row) for row in self.cells]  # the table's own rows, the parsed cells shared
            table = Table(rows, colWidths=self.widths, repeatRows=1, hAlign="LEFT")
            table.setStyle(
                TableStyle(
                    _padding(self.t, CELL_ACROSS, CELL_DOWN)
                    + [
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(theme.HEADER_FILL)),
                        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f5f7")]),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor(theme.CARD_BORDER)),
                    ]
                )
            )
            self._table = table
        return self._table

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        across, down = self.pad_across, self.pad_down
        heights = []
        for row in self.cells:
            tallest = 0.0
            for cell, width in zip(row, self.widths):
                inner = width - across - across
                if inner < 0:
                    raise ValueError(f"a table column of {width:g} points is narrower than its padding")
                tall = cell.wrap(inner, 72000 - down - down)[1] + (down + down)
                tallest = max(tallest, tall)
            heights.append(tallest)
        height = carry = 0.0  # reportlab's sum of the rows, bottom up, with its compensation
        for h in reversed(heights):
            y = h - carry
            total = height + y
            carry = (total - height) - y
            height = total
        self.width, self.height = sum(self.widths), height
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        return list(self.table().split(available_width, available_height))

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        table = self.table()
        table.wrapOn(canvas, self.width, self.height)
        table.drawOn(canvas, x, y, _sW)


def _table(header: list[str], rows: list[list[str]], widths: list[float], t: Type, text: float = theme.TABLE_TEXT_SIZE) -> Grid:
    return Grid(_cells(header, rows, t, text), widths, t)


CERT_HEADER = ["Role / interface", "Subject name", "Subject alternative names", "CA", "EKU", "Notes"]
CERT_FRACTIONS = [0.17, 0.14, 0.17, 0.06, 0.06, 0.40]
DNS_HEADER = ["Type", "Name", "Points to", "Port", "Purpose"]
DNS_FRACTIONS = [0.08, 0.30, 0.27, 0.07, 0.28]


def _certificate_rows(data: Dataset) -> list[list[str]]:
    return [
        [
            f"<b>{_esc(cert.role.label)}</b><br/>{_esc(cert.interface)}",
            _esc(cert.subject),
            "<br/>".join(_esc(s) for s in cert.sans) or "(none)",
            cert.ca.capitalize(),
            ", ".join(e.capitalize() for e in cert.eku),
            _esc(cert.notes) + _sources(cert.sources) + _unsure(cert.unsure),
        ]
        for cert in data.certificates
    ]


def _dns_rows(data: Dataset, view: str) -> list[list[str]]:
    return [
        [r.type, _esc(r.name), _esc(r.target), str(r.port or ""), _esc(r.purpose) + _unsure(r.unsure)]
        for r in data.dns_records
        if r.view == view
    ]


def _narrowest(header: list[str], rows: list[list[str]], fractions: list[float], t: Type, text: float = theme.TABLE_TEXT_SIZE) -> float:
    """The narrowest table in which every column holds its longest word (a name, a number) whole."""
    size, pad = t.size(text), 2 * t.size(CELL_ACROSS) + t.size(1)
    width = 0.0
    for column, fraction in enumerate(fractions):
        cells = [header[column]] + [row[column] for row in rows]
        words = [w for cell in cells for w in html.unescape(re.sub(r"<[^>]+>", " ", cell)).split()]
        widest = max((stringWidth(w, theme.FONT_BOLD, size) for w in words), default=0.0)
        width = max(width, (widest + pad) / fraction)
    return width


def certificates_min_width(data: Dataset, t: Type) -> float:
    return _narrowest(CERT_HEADER, _certificate_rows(data), CERT_FRACTIONS, t)


def dns_min_width(data: Dataset, t: Type) -> float:
    return max(_narrowest(DNS_HEADER, _dns_rows(data, view), DNS_FRACTIONS, t) for view in ("internal", "external"))


def certificates(data: Dataset, t: Type, width: float) -> list[Flowable]:
    """The certificate table; nothing at all for a dataset without certificates."""
    if not data.certificates:
        return []
    example = f" (example names for {data.poster.example_domain})" if data.poster.example_domain else ""
    return [
        Paragraph(f"Certificates{_esc(example)}", t.heading),
        _table(CERT_HEADER, _certificate_rows(data), [f * width for f in CERT_FRACTIONS], t),
    ]


def dns(data: Dataset, t: Type, width: float) -> list[Flowable]:
    story: list[Flowable] = [Paragraph("DNS records", t.heading)]
    for view, title in (("internal", "Internal DNS"), ("external", "External (public) DNS")):
        rows = _dns_rows(data, view)
        if not rows:
            continue
        story.append(Paragraph(title, t.subheading))
        story.append(_table(DNS_HEADER, rows, [f * width for f in DNS_FRACTIONS], t))
    return story if len(story) > 1 else []  # no records: no heading


# --- what's new ------------------------------------------------------------------------------

WHATS_NEW_LINES = 14


def whats_new(news: ChangelogEntry | Changes, t: Type) -> list[Flowable]:
    """What's new in this version, at the top of the side column: the changelog entry's lead and
    its bullets, each shortened to its first sentence; without an entry, the facts that changed."""
    if isinstance(news, ChangelogEntry):
        return _changelog_entry(news, t)
    changes = news
    story: list[Flowable] = [Paragraph(f"What's new in {_esc(changes.new_version)}", t.heading)]
    if not changes:
        return story + [Paragraph(f"No change to the facts since {_esc(changes.old_version)}.", t.text)]
    item = t.style("new", theme.SECTION_TEXT_SIZE, leftIndent=t.size(10), bulletIndent=0, spaceAfter=t.size(1))
    shown = changes.items[:WHATS_NEW_LINES]
    for change in shown:
        story.append(Paragraph(f"<b>{MARKS[change.kind]}</b> {_esc(change.text)}", item, bulletText="\u2022"))
    rest = len(changes.items) - len(shown)
    more = f" and {rest} more" if rest else ""
    story.append(Paragraph(f"<i>Since version {_esc(changes.old_version)}{more}; the changelog has every change.</i>", t.style("new-tail", theme.TABLE_TEXT_SIZE, colour=theme.MUTED)))
    return story


def _changelog_entry(entry: ChangelogEntry, t: Type) -> list[Flowable]:
    from ..changelog import first_sentence

    story: list[Flowable] = [Paragraph(f"What's new in {_esc(entry.version)}", t.heading)]
    if entry.lead:
        story.append(Paragraph(f"<b>{_esc(entry.lead)}</b>", t.text))
    item = t.style("new", theme.SECTION_TEXT_SIZE, leftIndent=t.size(10), bulletIndent=0, spaceAfter=t.size(1))
    for bullet in entry.bullets[:WHATS_NEW_LINES]:
        story.append(Paragraph(_esc(first_sentence(bullet)), item, bulletText="\u2022"))
    story.append(Paragraph("<i>The changelog has the whole entry; lyncposter diff lists every fact that changed.</i>", t.style("new-tail", theme.TABLE_TEXT_SIZE, colour=theme.MUTED)))
    return story


# --- firewall rules ---------------------------------------------------------------------


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def rule_table(
    rule_set: RuleSet, t: Type, width: float, workload_titles: dict[str, str], text: float = theme.RULE_TABLE_TEXT_SIZE
) -> list[Flowable]:
    """One firewall's numbered rules, as its drawing numbers them, in type of design size `text`."""
    firewall = rule_set.firewall
    rows = []
    notes_of = rule_set.table_notes()
    for rule in rule_set.rules:
        notes = [_esc(n) for n in notes_of[rule.number]]
        unsure = "".join(_unsure(u) for u in rule.unsure)
        rows.append(
            [
                f"<b>{rule.number}</b>",
                rule.direction.capitalize(),
                _esc(rule.source.label),
                _esc(rule.destination.label),
                _esc(rule.protocol.label),
                f"{rule.transport}&nbsp;{_esc(rule.ports_text)}",  # a port never wraps away from its transport
                _esc(", ".join(workload_titles.get(w, w) for w in rule.workloads)),
                " ".join(notes) + unsure,
            ]
        )
    fractions = [0.04, 0.08, 0.17, 0.17, 0.095, 0.12, 0.14, 0.185]
    intro = (
        f"Between {_esc(firewall.outer.label)} and {_esc(firewall.inner.label)}. <b>Inbound</b>: opened from "
        f"{_esc(firewall.outer.label)}; <b>outbound</b>: opened from {_esc(firewall.inner.label)}. "
        "Ports are those of the side that listens."
    )
    return [
        Paragraph(f"{_esc(firewall.label)}: {_count(len(rule_set.rules), 'rule')}", t.heading),
        Paragraph(intro, t.style("rule-intro", text, spaceAfter=t.size(4))),
        _table(
            ["#", "Direction", "From (opens)", "To (listens)", "Protocol", "Port", "Workloads", "Notes"],
            rows,
            [f * width for f in fractions],
            t,
            text=text,
        ),
    ]


def firewall_notes(rule_sets: tuple[RuleSet, ...], workloads: tuple[Workload, ...], t: Type) -> list[Flowable]:
    """How to read the sheet, what each interface needs besides its rules, and the workloads' firewall notes."""
    story: list[Flowable] = [Paragraph("Reading the rules", t.heading)]
    examples = list(dict.fromkeys(e.label for r in rule_sets for rule in r.rules for e in (rule.source, rule.destination) if e.interface))
    for text in (
        "Each arrow is one rule, numbered as in its firewall's table, pointing away from the side that opens "
        "the connection. A line with two arrowheads and two numbers is an opening that either side may make: "
        "one rule each way.",
        "<b>Inbound</b> rules are opened from the less trusted zone, <b>outbound</b> rules from the more trusted "
        "one. The side that opens a connection uses a dynamic source port; the port given is the listener's.",
        "A rule names the interface the firewall sees where a role stands between two firewalls"
        + (f" ({', '.join(_esc(n) for n in examples[:2])}, ...)" if examples else "")
        + ": map each to its IP address. Flows that need the same opening share one rule, which lists every "
        "workload that needs it.",
        f"{UNSURE} marks a rule that rests on an unconfirmed fact; the reason is in its Notes.",
    ):
        story.append(Paragraph(text, t.text))
    interfaces: dict[str, Interface] = {}
    for rule_set in rule_sets:
        for rule in rule_set.rules:
            for end in (rule.source, rule.destination):
                if end.interface and end.interface.note:
                    interfaces.setdefault(end.label, end.interface)
    if interfaces:
        story.append(Paragraph("Interfaces", t.subheading))
        for label, interface in interfaces.items():
            story.append(Paragraph(f"<b>{_esc(label)}.</b> {_esc(interface.note)}{_sources(interface.sources)}", t.text))
    for workload in workloads:
        marked = tuple(n for n in workload.notes if n.firewall)
        if marked:
            story.extend(_workload_notes(workload, t, marked))
    return story


# --- resources -----------------------------------------------------------------


QUIET_ZONE = 4  # modules of white around the code, as the standard asks


class QrFlowable(_Square):
    """The code `size` points across, its quiet zone included, drawn as one filled path: a
    rectangle per run of dark modules (one fill leaves no seams between them)."""

    def __init__(self, url: str, size: float):
        super().__init__(size)
        self.url = url

    def draw(self) -> None:
        rows = qr_code(self.url)
        module = self.size / (len(rows) + 2 * QUIET_ZONE)
        canvas = self.canv
        path = canvas.beginPath()
        for r, row in enumerate(rows):
            y = self.size - (QUIET_ZONE + r + 1) * module
            for run in re.finditer("1+", row):
                path.rect((QUIET_ZONE + run.start()) * module, y, (run.end() - run.start()) * module, module)
        canvas.setFillColor(colors.black)
        canvas.drawPath(path, stroke=0, fill=1)


def resources(data: Dataset, t: Type, width: float) -> list[Flowable]:
    link = t.style("link", theme.SECTION_TEXT_SIZE, leftIndent=t.size(10), bulletIndent=0, spaceAfter=t.size(3))
    items: list[Flowable] = [
        Paragraph(
            f'<a href="{html.escape(r.url)}" color="{theme.LINK_COLOUR}"><u>{_esc(r.title)}</u></a>'
            f'<br/><font size="{t.size(theme.TABLE_TEXT_SIZE)}" color="{theme.MUTED}">{_esc(r.url)}</font>',
            link,
            bulletText="\u2022",
        )
        for r in data.poster.resources
    ]
    cited = [s for s in data.cited(data.citations)]
    if cited:
        items.append(Paragraph("Sources cited", t.subheading))
        for source in cited:
            title = f'<a href="{html.escape(source.url)}" color="{theme.LINK_COLOUR}"><u>{_esc(source.title)}</u></a>' if source.url else _esc(source.title)
            items.append(Paragraph(f"<b>{_esc(source.id)}</b> {title}", link, bulletText="\u2022"))
    size = t.size(110)
    code = QrFlowable(data.poster.home_url, size)
    caption = Paragraph(
        f'Scan for the poster\'s home page:<br/><a href="{html.escape(data.poster.home_url)}" color="{theme.LINK_COLOUR}">'
        f"{_esc(data.poster.home_url)}</a>",
        t.cell,
    )
    qr = Table([[code, caption]], colWidths=[size + t.size(8), width - size - t.size(8)], hAlign="LEFT")
    qr.setStyle(TableStyle(_padding(t, 0, 2) + [("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    if not items:  # no links and no sources: the code to the home page, under no heading of its own
        return [Spacer(1, t.size(6)), qr]
    return [Paragraph("Learn more", t.heading), *items, Spacer(1, t.size(6)), qr]


