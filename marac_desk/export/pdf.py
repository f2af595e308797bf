"""What every PDF shares: fonts, styles, escaping, tables, page furniture, watermark, encryption.

Each document module builds a list of flowables from its input and hands it to `build_pdf`, which
draws the furniture on every page: the protective marking top and bottom, the document's title
and date, the handling line, "Page X of Y" and when it was generated; a draft also gets a diagonal
DRAFT watermark. Output is deterministic: reportlab runs in invariant mode and the PDF's dates
come from `generated_at`, so the same input gives the same bytes.

User text must go through `para` (or `escape`): reportlab reads markup in paragraphs, so a name
like "<b>" or "&amp;" would otherwise restyle the page or break the build.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import as_file, files
from typing import Any, TypeAlias
from xml.sax.saxutils import escape as _xml_escape

from pypdf import PdfReader, PdfWriter
from pypdf.errors import DependencyError
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from marac_desk.export.model import HANDLING_LINE
from marac_desk.export.rtl import visual
from marac_desk.export.wording import fmt_datetime

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
_FONT_FILES = {
    FONT: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_ITALIC: "DejaVuSans-Oblique.ttf",
}
_fonts_lock = threading.Lock()
_fonts_ready = False

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#9a9a9a")
HEADER_FILL = colors.HexColor("#e4e8ee")
LABEL_FILL = colors.HexColor("#f3f4f6")
GRID = colors.HexColor("#b8bec7")

SIDE_MARGIN = 15 * mm
TOP_MARGIN = 24 * mm
BOTTOM_MARGIN = 21 * mm

# ----- fonts and styles --------------------------------------------------------------------------


def register_fonts() -> None:
    """Register the shipped DejaVu Sans faces with reportlab (once per process)."""
    global _fonts_ready  # noqa: PLW0603 - a process-wide, idempotent registration
    with _fonts_lock:
        if _fonts_ready:
            return
        folder = files("marac_desk.resources").joinpath("fonts")
        for name, filename in _FONT_FILES.items():
            with as_file(folder.joinpath(filename)) as path:
                pdfmetrics.registerFont(TTFont(name, str(path)))
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD
        )
        _fonts_ready = True


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    note: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    head_cell: ParagraphStyle
    grid_cell: ParagraphStyle


def _styles() -> Styles:
    body = ParagraphStyle(
        "body", fontName=FONT, fontSize=9, leading=12, textColor=INK, spaceAfter=4
    )
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10, spaceAfter=0)
    return Styles(
        title=ParagraphStyle(
            "title", parent=body, fontName=FONT_BOLD, fontSize=15, leading=19, spaceAfter=2
        ),
        subtitle=ParagraphStyle(
            "subtitle", parent=body, fontSize=10, leading=13, textColor=MUTED, spaceAfter=8
        ),
        heading=ParagraphStyle(
            "heading",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=11.5,
            leading=15,
            spaceBefore=10,
            spaceAfter=4,
        ),
        subheading=ParagraphStyle(
            "subheading",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=9,
            leading=12,
            spaceBefore=6,
            spaceAfter=2,
        ),
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=MUTED),
        note=ParagraphStyle("note", parent=body, fontName=FONT_ITALIC, textColor=MUTED),
        cell=cell,
        cell_bold=ParagraphStyle("cell_bold", parent=cell, fontName=FONT_BOLD),
        head_cell=ParagraphStyle("head_cell", parent=cell, fontName=FONT_BOLD),
        grid_cell=ParagraphStyle("grid_cell", parent=cell, fontSize=7, leading=8.5),
    )


_styles_cache: Styles | None = None


def styles() -> Styles:
    """The shared paragraph styles (fonts registered first)."""
    global _styles_cache  # noqa: PLW0603 - built once, never changed
    register_fonts()
    if _styles_cache is None:
        _styles_cache = _styles()
    return _styles_cache


# ----- text --------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape(text: str) -> str:
    """User text made safe for a reportlab Paragraph: printed literally, line breaks kept.

    `&`, `<` and `>` become entities (so "<b>", "&amp;" and "<font size=40>" print as typed),
    control characters are dropped, each line break becomes `<br/>`, and right-to-left
    scripts are put in drawing order (`export.rtl`).
    """
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).replace("\t", " ")
    return _xml_escape(visual(text)).replace("\n", "<br/>")


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of user (or any plain) text, escaped."""
    return Paragraph(escape(text), style)


def labelled(label: str, text: str, style: ParagraphStyle) -> Paragraph:
    """ "Label: text" with the label in bold; both escaped."""
    return Paragraph(f"<b>{escape(label)}</b> {escape(text)}", style)


# ----- tables ------------------------------------------------------------------------------------

Cell: TypeAlias = "str | Paragraph"  # a Paragraph for formatted cells

# A table row must fit on one page (reportlab's in-row splitting misplaces the remainder), so a
# long cell is cut into continuation rows of at most this many estimated lines. The estimate
# assumes wide letters, so the real height stays well under a landscape page's frame.
_MAX_LINES_PER_ROW = 30
_CHAR_WIDTH = 0.62  # of the font size: DejaVu Sans is a wide face
_TABLE_STYLE: tuple[tuple[Any, ...], ...] = (
    ("GRID", (0, 0), (-1, -1), 0.4, GRID),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
)


def _chunks(text: str, width_pt: float, font_size: float) -> list[str]:
    """`text` cut at word boundaries into pieces of at most _MAX_LINES_PER_ROW lines each."""
    per_line = max(4, int((width_pt - 6) / (font_size * _CHAR_WIDTH)))
    budget = _MAX_LINES_PER_ROW * per_line
    if len(text) <= budget // 2 and text.count("\n") < _MAX_LINES_PER_ROW // 2:
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    for line in text.split("\n"):
        words = line.split(" ")
        line_used = 0
        for word in words:
            rest = word
            while len(rest) > budget:  # one enormous "word": cut it anyway
                if current:
                    pieces.append(" ".join(current))
                    current, used, line_used = [], 0, 0
                pieces.append(rest[:budget])
                rest = rest[budget:]
            cost = len(rest) + 1
            if used + line_used + cost > budget and (current or line_used):
                pieces.append(" ".join(current).rstrip())
                current, used, line_used = [], 0, 0
            current.append(rest)
            line_used += cost
        # a line break ends the line: charge the rest of the line as used
        used += -(-line_used // per_line) * per_line if line_used else per_line
        current.append("\n")
    pieces.append(" ".join(current))
    cleaned = [piece.replace(" \n ", "\n").replace(" \n", "\n").strip() for piece in pieces]
    return [piece for piece in cleaned if piece] or [""]


def _rows(
    rows: Sequence[Sequence[Cell]], widths_pt: Sequence[float], styles_: Sequence[ParagraphStyle]
) -> list[list[Paragraph]]:
    """Rows of paragraphs, long text continued on extra rows so no row outgrows a page."""
    out: list[list[Paragraph]] = []
    for row in rows:
        if len(row) != len(widths_pt):
            raise ValueError(f"a row has {len(row)} cells for {len(widths_pt)} columns")
        columns: list[list[Cell]] = [
            [cell] if isinstance(cell, Paragraph) else list(_chunks(cell, width, style.fontSize))
            for cell, width, style in zip(row, widths_pt, styles_, strict=True)
        ]
        for n in range(max(len(column) for column in columns)):
            line: list[Paragraph] = []
            for column, style in zip(columns, styles_, strict=True):
                cell = column[n] if n < len(column) else ""
                line.append(cell if isinstance(cell, Paragraph) else para(cell, style))
            out.append(line)
    return out


def table(
    header: Sequence[Cell],
    rows: Sequence[Sequence[Cell]],
    widths_mm: Sequence[float],
    *,
    caption: str | None = None,
    caption_style: ParagraphStyle | None = None,
    extra_style: Sequence[tuple[Any, ...]] = (),
    cell_style: ParagraphStyle | None = None,
) -> Table:
    """A data table: header row repeated on every page, text wrapped, rows split across pages.

    String cells (header too) are escaped and wrapped in paragraphs; pass a Paragraph for
    formatted cells (keep those short), e.g. a right-aligned column title. A cell too long for
    one page continues on the rows below it. A `caption` is the table's heading, drawn as its
    first row so that it is repeated with the header on every page the table runs onto (and
    can never be left alone at a page foot). Row numbers in `extra_style` count the header row
    as 0, caption or not.
    """
    sty = styles()
    body_style = cell_style or sty.cell
    head_style = ParagraphStyle("head", parent=body_style, fontName=FONT_BOLD)
    if len(header) != len(widths_mm):
        raise ValueError(f"{len(header)} column titles for {len(widths_mm)} widths")
    widths = [w * mm for w in widths_mm]
    data: list[list[Any]] = [
        [text if isinstance(text, Paragraph) else para(text, head_style) for text in header]
    ]
    data += _rows(rows, widths, [body_style] * len(widths))
    top = 0
    commands: list[tuple[Any, ...]] = []
    if caption is not None:
        top = 1
        data.insert(0, [para(caption, caption_style or sty.subheading)] + [""] * (len(widths) - 1))
        commands += [
            ("SPAN", (0, 0), (-1, 0)),
            ("LEFTPADDING", (0, 0), (-1, 0), 0),
            ("TOPPADDING", (0, 0), (-1, 0), 0),
            ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
        ]
    grid = [
        (name, (c0, r0 + top), (c1, r1 if r1 < 0 else r1 + top), *rest)
        for name, (c0, r0), (c1, r1), *rest in _TABLE_STYLE
    ]
    commands += [("BACKGROUND", (0, top), (-1, top), HEADER_FILL), *grid]
    commands += [
        (name, (c0, r0 + top), (c1, r1 if r1 < 0 else r1 + top), *rest)
        for name, (c0, r0), (c1, r1), *rest in extra_style
    ]
    result = Table(data, colWidths=widths, repeatRows=1 + top, splitByRow=1, hAlign="LEFT")
    result.setStyle(TableStyle(commands))
    return result


def titled_table(
    title: str,
    header: Sequence[Cell],
    rows: Sequence[Sequence[Cell]],
    widths_mm: Sequence[float],
    *,
    level: int = 2,
    extra_style: Sequence[tuple[Any, ...]] = (),
    cell_style: ParagraphStyle | None = None,
) -> list[Flowable]:
    """A table headed by a section (level 1) or sub-section (level 2) title, repeated with the
    header row on every page it runs onto."""
    sty = styles()
    heading = sty.heading if level == 1 else sty.subheading
    return [
        Spacer(1, heading.spaceBefore),
        table(
            header,
            rows,
            widths_mm,
            caption=title,
            caption_style=heading,
            extra_style=extra_style,
            cell_style=cell_style,
        ),
    ]


def facts(pairs: Sequence[tuple[str, str]], widths_mm: tuple[float, float]) -> Table:
    """A two-column label / value block (no header), labels shaded."""
    sty = styles()
    widths = [w * mm for w in widths_mm]
    data = _rows(pairs, widths, [sty.cell_bold, sty.cell])
    result = Table(data, colWidths=widths, splitByRow=1, hAlign="LEFT")
    result.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, -1), LABEL_FILL), *_TABLE_STYLE]))
    return result


def gap(height_mm: float = 3) -> Spacer:
    return Spacer(1, height_mm * mm)


def nowrap(text: str) -> str:
    """Keep a short value (a date) on one line inside a table cell."""
    return text.replace(" ", "\u00a0")


def section(text: str) -> list[Flowable]:
    """A numbered section heading for text (tables take theirs: `titled_table`), never left
    alone at the foot of a page."""
    return [CondPageBreak(35 * mm), para(text, styles().heading)]


def subsection(text: str, *following: Flowable) -> list[Flowable]:
    """A sub-heading kept on one page with the short content that follows it."""
    return [KeepTogether([para(text, styles().subheading), *following])]


# ----- the page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Furniture:
    """What is drawn on every page around the content."""

    title: str  # e.g. "Northtown MARAC — minutes"
    date_text: str  # e.g. "Meeting of 5 Mar 2025"
    marking: str  # the protective marking, top and bottom
    generated_at: datetime
    watermark: str | None = None  # "DRAFT" on a draft


def _draw_furniture(canv: Any, furniture: Furniture, page: int, pages: int) -> None:
    width, height = canv._pagesize
    left, right = SIDE_MARGIN, width - SIDE_MARGIN
    canv.saveState()
    if furniture.watermark:
        canv.saveState()
        canv.setFillColor(colors.HexColor("#8a8a8a"))
        canv.setFillAlpha(0.16)
        canv.setFont(FONT_BOLD, 120)
        canv.translate(width / 2, height / 2)
        canv.rotate(45 if height > width else 30)
        canv.drawCentredString(0, -42, furniture.watermark)
        canv.restoreState()
    canv.setFillColor(INK)
    canv.setFont(FONT_BOLD, 9.5)
    canv.drawCentredString(width / 2, height - 10 * mm, visual(furniture.marking))
    canv.setFont(FONT, 7.5)
    canv.setFillColor(MUTED)
    canv.drawString(left, height - 16 * mm, visual(furniture.title))
    canv.drawRightString(right, height - 16 * mm, visual(furniture.date_text))
    canv.setStrokeColor(RULE)
    canv.setLineWidth(0.5)
    canv.line(left, height - 17.5 * mm, right, height - 17.5 * mm)
    canv.line(left, 15.5 * mm, right, 15.5 * mm)
    canv.drawString(left, 12 * mm, HANDLING_LINE)
    canv.drawRightString(right, 12 * mm, f"Page {page} of {pages}")
    canv.setFont(FONT, 6.5)
    canv.drawString(left, 7 * mm, "MARAC Desk")
    canv.drawRightString(right, 7 * mm, f"Generated {fmt_datetime(furniture.generated_at)}")
    canv.setFillColor(INK)
    canv.setFont(FONT_BOLD, 9.5)
    canv.drawCentredString(width / 2, 7 * mm, visual(furniture.marking))
    canv.restoreState()


def _pdf_date(moment: datetime) -> str:
    stamp = moment.strftime("D:%Y%m%d%H%M%S")
    offset = moment.utcoffset()
    if offset is None:
        return stamp
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{stamp}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


def _canvas_maker(furniture: Furniture) -> type[Canvas]:
    """A canvas that keeps its pages until the end, so each can say "Page X of Y"."""

    class FurnishedCanvas(Canvas):  # type: ignore[misc]  # reportlab is untyped
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            stamp = _pdf_date(furniture.generated_at)
            self.setDateFormatter(lambda *_: stamp)
            self._kept_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab names it so
            self._kept_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            pages = len(self._kept_pages)
            for number, state in enumerate(self._kept_pages, start=1):
                self.__dict__.update(state)
                _draw_furniture(self, furniture, number, pages)
                super().showPage()
            super().save()

    return FurnishedCanvas


def build_pdf(
    story: list[Any],
    furniture: Furniture,
    *,
    landscape_pages: bool = False,
    subject: str = "",
    password: str | None = None,
) -> bytes:
    """Lay out `story` on A4 with the furniture on every page; encrypt when given a password."""
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4) if landscape_pages else A4,
        leftMargin=SIDE_MARGIN,
        rightMargin=SIDE_MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=furniture.title,
        author="MARAC Desk",
        creator="MARAC Desk",
        subject=subject or furniture.marking,
        invariant=1,
    )
    doc.build(story, canvasmaker=_canvas_maker(furniture))
    data = buffer.getvalue()
    return data if password is None else encrypt_pdf(data, password)


def encrypt_pdf(data: bytes, password: str) -> bytes:
    """Password-protect a PDF with AES-256 (pypdf): readable by any current PDF reader.

    reportlab's own AES output is unreadable by poppler and pypdf, hence this second step.
    The result is not byte-for-byte repeatable (encryption salts are random).
    """
    if not password:
        raise ValueError("an empty password would not protect the document")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    try:
        writer.encrypt(user_password=password, owner_password=None, algorithm="AES-256")
    except DependencyError as exc:  # pypdf does AES through the `cryptography` package
        raise RuntimeError("PDF encryption needs the 'cryptography' package installed") from exc
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
