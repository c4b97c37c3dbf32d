"""A clinic-ready PDF report of a snapshot: one or two A4 pages for a typical quarter.

Order: who and when; the regimen; adherence by medicine (taken/due and %); red flags with
dates; symptom trends as charts with a table of latest and worst answers; DXA T-scores as a
chart and a table; clinic-given bone medicine; upcoming appointments; the patient's latest
notes. The patient is pseudonymous ("Patient #<id>"): the bot holds no names.

Text is set in DejaVu Sans, the font matplotlib ships, embedded and subset, so notes in any
script print as typed (a PDF core font only covers Latin-1). Charts come from
bot.exports.charts, the same images the patient sees in the chat.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path

import matplotlib
from fontTools.ttLib import TTFont
from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

from bot.domain.bone_health import classify
from bot.domain.bone_markers import MARKERS, RULES
from bot.domain.symptoms import ITEMS, Attribute
from bot.exports import labels
from bot.exports.charts import (
    MarkerSeries,
    SymptomSeries,
    TScorePoint,
    bone_density_png,
    bone_markers_png,
    symptom_trend_png,
)
from bot.exports.files import ExportFile, file_name
from bot.exports.snapshot import ExportSnapshot, MedicationRow
from bot.exports.summary import adherence_by_medicine, checkin_scores, checkin_time, score_series

PDF_MIME = "application/pdf"
FONT = "DejaVu"
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
MISSING_GLYPH = "\ufffd"  # shown for characters DejaVu Sans lacks (e.g. Chinese, Japanese)

# Symptom charts, two side by side: the aromatase inhibitor's musculoskeletal effects and
# sleep first, then the rest. Severity is charted: every PRO-CTCAE term here has it.
SYMPTOM_CHARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Aches, tiredness, sleep (severity)", ("joints", "muscles", "fatigue", "insomnia")),
    ("Other symptoms (severity)", ("hot_flashes", "vaginal_dryness", "heartburn", "swallowing")),
)
NONE_SHOWN = "\u2013"  # an en dash in an empty table cell
NOTES_SHOWN = 5
NOTE_CHARS = 200
SIDE_BY_SIDE_ROWS = 6

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MARGIN = 15.0
_HALF = 88.0  # width of a chart in a two-column row (mm)
_GREY = (90, 90, 90)
_HEADINGS = FontFace(emphasis="BOLD", fill_color=(232, 236, 241))


def pdf_report_file(snapshot: ExportSnapshot) -> ExportFile:
    """Return the PDF report as a file ready to send."""
    return ExportFile(file_name(snapshot, "report", "pdf"), render_pdf_report(snapshot), PDF_MIME)


def render_pdf_report(snapshot: ExportSnapshot) -> bytes:
    """Render the clinic report of a snapshot as PDF bytes."""
    pdf = _Report(_footer_text(snapshot))
    _header(pdf, snapshot)
    _regimen(pdf, snapshot)
    _adherence(pdf, snapshot)
    _red_flags(pdf, snapshot)
    _symptoms(pdf, snapshot)
    _bone_density(pdf, snapshot)
    _bone_markers(pdf, snapshot)
    _clinic_and_appointments(pdf, snapshot)
    _notes(pdf, snapshot)
    return bytes(pdf.output())


def day_text(day: date) -> str:
    """Format a date the same way in every locale, e.g. "3 Feb 2025"."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


class _Report(FPDF):
    """A4 portrait with DejaVu Sans and a footer naming the patient on every page."""

    def __init__(self, footer: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer
        self.set_margins(_MARGIN, 12, _MARGIN)
        self.set_auto_page_break(auto=True, margin=14)
        for style, name in FONT_FILES.items():
            self.add_font(FONT, style, str(FONT_DIR / name))
        self.set_title(footer)
        self.set_creator("bonebot")
        self.add_page()

    def footer(self) -> None:
        """Print the patient, the period and the page number at the foot of each page."""
        self.set_y(-11)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*_GREY)
        self.cell(0, 4, f"{self.footer_text} · page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0)


def _footer_text(snapshot: ExportSnapshot) -> str:
    return (
        f"bonebot report · {snapshot.patient.display_name} · "
        f"{day_text(snapshot.first_day)} to {day_text(snapshot.last_day)}"
    )


@cache
def _covered(style: str) -> frozenset[int]:
    """Return the code points the report font has glyphs for."""
    with TTFont(FONT_DIR / FONT_FILES[style], lazy=True) as font:
        return frozenset(font.getBestCmap())


def printable(text: str, style: str = "") -> str:
    """Replace characters the font cannot draw, so none silently vanish.

    fpdf2 would drop them and log them, and a log must never hold what the patient wrote.
    """
    covered = _covered(style)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(
        char if char == "\n" or ord(char) in covered else MISSING_GLYPH for char in text
    )


def _line(
    pdf: FPDF, text: str, *, size: float = 9, bold: bool = False, grey: bool = False
) -> None:
    style = "B" if bold else ""
    pdf.set_font(FONT, style, size)
    if grey:
        pdf.set_text_color(*_GREY)
    pdf.multi_cell(0, size * 0.5, printable(text, style), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)


def _heading(pdf: FPDF, text: str, room: float = 25) -> None:
    """Start a section, on a new page if its heading would sit alone at the foot."""
    if pdf.will_page_break(room):
        pdf.add_page()
    pdf.ln(2.5)
    _line(pdf, text, size=11.5, bold=True)
    pdf.ln(0.8)


def _table(
    pdf: FPDF,
    headings: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    *,
    align: Sequence[str] | None = None,
    width: float | None = None,
    table_align: str = "LEFT",
) -> None:
    pdf.set_font(FONT, "", 8.5)
    with pdf.table(
        col_widths=tuple(widths),
        text_align=tuple(align or ("LEFT",) * len(headings)),
        headings_style=_HEADINGS,
        borders_layout="HORIZONTAL_LINES",
        line_height=4.2,
        padding=(0.8, 1.2),
        width=width or pdf.epw,
        align=table_align,
    ) as table:
        for index, values in enumerate((headings, *rows)):
            row = table.row()
            for value in values:
                row.cell(printable(value, "B" if index == 0 else ""))
    pdf.ln(1)


def _header(pdf: FPDF, snapshot: ExportSnapshot) -> None:
    patient = snapshot.patient
    _line(pdf, f"Bone-health report · {patient.display_name}", size=15, bold=True)
    pdf.ln(1)
    days = (snapshot.last_day - snapshot.first_day).days + 1
    _line(
        pdf,
        f"Period {day_text(snapshot.first_day)} to {day_text(snapshot.last_day)} ({days} days) · "
        f"times in {patient.timezone} · using bonebot since "
        f"{day_text(snapshot.local(patient.registered_at).date())}",
    )
    _line(
        pdf,
        "Patient-reported through the bonebot Telegram companion, which reminds and records "
        "but does not give medical advice. The bot holds no names: match the patient number "
        "with your own records.",
        size=7.5,
        grey=True,
    )


def _in_force(snapshot: ExportSnapshot, row: MedicationRow) -> str:
    since = day_text(snapshot.local(row.started_at).date())
    if row.ended_at is None:
        return f"since {since}"
    return f"{since} to {day_text(snapshot.local(row.ended_at).date())}"


def _regimen(pdf: FPDF, snapshot: ExportSnapshot) -> None:
    _heading(pdf, "Regimen")
    if not snapshot.medications:
        _line(pdf, "No medicines registered.")
        return
    rows = [
        (
            labels.medicine_title(row.product_key),
            labels.ROLE_LABELS.get(row.role, row.role),
            labels.schedule_text(row),
            _in_force(snapshot, row),
        )
        for row in snapshot.medications
    ]
    _table(pdf, ("Medicine", "Role", "Schedule", "In force"), rows, (36, 20, 28, 26))


def _adherence(pdf: FPDF, snapshot: ExportSnapshot) -> None:
    _heading(pdf, "Adherence by medicine")
    rows = [
        (
            labels.medicine_title(row.product_key),
            f"{row.taken} / {row.due}",
            f"{row.percent_taken}%",
            str(row.skipped),
            f"{row.missed} ({row.made_up} made up)" if row.made_up else str(row.missed),
            str(row.unanswered),
            str(row.put_off),
            str(row.late),
        )
        for row in adherence_by_medicine(snapshot)
    ]
    if not rows:
        _line(pdf, "No doses were due in this period.")
        return
    headings = (
        "Medicine",
        "Taken / due",
        "Taken",
        "Skipped",
        "Missed",
        "No answer yet",
        "Put off",
        "Late",
    )
    align = ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")
    _table(pdf, headings, rows, (40, 16, 11, 12, 20, 16, 11, 9), align=align)
    _line(
        pdf,
        "Due: doses due in the period. Taken: confirmed by the patient, as a share of due. "
        "Put off: the patient chose Later at least once. "
        "Late: the reminder itself went out late (outage), not the patient's fault.",
        size=7.5,
        grey=True,
    )


def _red_flags(pdf: FPDF, snapshot: ExportSnapshot) -> None:
    _heading(pdf, "Red flags")
    if not snapshot.red_flags:
        _line(pdf, "No red flags in this period.")
        return
    rows = []
    for flag in snapshot.red_flags:
        closed = flag.closed_at
        rows.append(
            (
                day_text(snapshot.local(flag.opened_at).date()),
                labels.flag_label(flag.flag_code),
                f"until {day_text(snapshot.local(closed).date())}" if closed else "still open",
            )
        )
    _table(pdf, ("Raised", "Flag", "Episode"), rows, (18, 68, 20))
    _line(
        pdf,
        "An episode runs from the check-in that raised the flag until a completed check-in no "
        "longer raises it; the patient was shown whom to contact.",
        size=7.5,
        grey=True,
    )


def _symptoms(pdf: FPDF, snapshot: ExportSnapshot) -> None:
    _heading(pdf, "Symptoms (weekly PRO-CTCAE check-in)", room=60)
    started = len(snapshot.checkins)
    completed = sum(checkin.completed_at is not None for checkin in snapshot.checkins)
    if not snapshot.checkins:
        _line(pdf, "No check-ins in this period.")
        return
    _line(
        pdf,
        f"{started} check-ins started, {completed} completed. Scores 0 (none) to 4 (very "
        "severe); a symptom answered 'never' counts 0 for its other questions.",
    )
    stop_days = [
        day_text(snapshot.local(checkin_time(checkin)).date())
        for checkin in snapshot.checkins
        if checkin.wants_to_stop
    ]
    if stop_days:
        _line(
            pdf,
            "Said they want to stop their aromatase inhibitor: " + ", ".join(stop_days) + ".",
            bold=True,
        )
    pdf.ln(1)
    charts = []
    for title, codes in SYMPTOM_CHARTS:
        series = [
            SymptomSeries(ITEMS[code].term, points)
            for code in codes
            if (points := score_series(snapshot, code, Attribute.SEVERITY))
        ]
        if series:
            charts.append(symptom_trend_png(series, title=title, zone=snapshot.zone))
    _images_side_by_side(pdf, charts)
    _symptom_table(pdf, snapshot)


def _symptom_table(pdf: FPDF, snapshot: ExportSnapshot) -> None:
    ordered = sorted(snapshot.checkins, key=checkin_time)
    rows = []
    for item in ITEMS.values():
        attribute = next(
            (a for a in (Attribute.SEVERITY, Attribute.PRESENCE) if a in item.attributes),
            item.attributes[0],
        )
        points = [
            (checkin_time(checkin), scores[(item.code, attribute)])
            for checkin in ordered
            if (item.code, attribute) in (scores := checkin_scores(checkin))
        ]
        if not points:
            continue
        latest = points[-1][1]
        worst = max(score for _, score in points)
        worst_days = [
            day_text(snapshot.local(at).date()) for at, score in points if score == worst
        ]
        more = len(worst_days) - 1
        shown_days = worst_days[0] + (f" and {more} more" if more else "")
        rows.append(
            (
                item.term.removesuffix(" (own item)"),
                str(attribute),
                f"{labels.answer_label(item.code, attribute, latest)} ({latest})",
                f"{labels.answer_label(item.code, attribute, worst)} ({worst})",
                shown_days if worst else NONE_SHOWN,
            )
        )
    if rows:
        headings = ("Symptom", "Question", "Latest", "Worst", "Worst first on")
        _table(pdf, headings, rows, (44, 16, 20, 20, 37))


CORRECTED_NOTE = " * Corrected by the patient after it was first recorded."
DELETED_NOTE = " Scans the patient deleted: {count}."
CHANGES_WHERE = " The CSV (bone-health) and FHIR files show each change."


def _bone_density(pdf: FPDF, snapshot: ExportSnapshot) -> None:
    _heading(pdf, "Bone density (DXA T-scores)", room=40 if not snapshot.dxa else 80)
    if not snapshot.dxa:
        _line(pdf, "No DXA results recorded.")
        return
    scans = sorted(snapshot.dxa, key=lambda scan: scan.scanned_on)
    points = [
        TScorePoint(scan.scanned_on, scan.lumbar_spine, scan.total_hip, scan.femoral_neck)
        for scan in scans
    ]
    chart = bone_density_png(points)
    top = pdf.get_y()
    height = _image(pdf, chart, pdf.l_margin, top, _HALF)
    pdf.set_y(top)
    # A scan the patient corrected is marked; the CSV and FHIR files hold what changed.
    rows = [
        (
            day_text(point.scanned_on) + (" *" if scan.changes else ""),
            *(_t_score(value) for value in point.t_scores),
            _who(point),
        )
        for scan, point in zip(scans, points, strict=True)
    ]
    note = CORRECTED_NOTE if any(scan.changes for scan in scans) else ""
    if snapshot.deleted_dxa:
        note += DELETED_NOTE.format(count=len(snapshot.deleted_dxa))
    note += CHANGES_WHERE if note else ""
    headings = ("Scan", "Spine", "Hip", "Neck", "WHO, lowest site")
    widths = (23, 12, 11, 12, 30)
    align = ("LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT")
    _table(pdf, headings, rows, widths, align=align, width=_HALF, table_align="RIGHT")
    pdf.set_x(pdf.l_margin + _HALF + 4)
    pdf.set_font(FONT, "", 7.5)
    pdf.set_text_color(*_GREY)
    pdf.multi_cell(
        _HALF,
        3.6,
        "Spine: lumbar spine; hip: total hip; neck: femoral neck. WHO 1994: normal "
        "T >= -1.0; low bone mass (osteopenia) -2.5 < T < -1.0; osteoporosis T <= -2.5." + note,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_text_color(0)
    pdf.set_y(max(pdf.get_y(), top + height) + 1)


MARKERS_DELETED_NOTE = " Results the patient deleted: {count}."
MARKER_CHANGES_WHERE = " The CSV (bone-markers) and FHIR files show each change."


def _bone_markers(pdf: FPDF, snapshot: ExportSnapshot) -> None:
    """Lab results (bone turnover markers, 25-OH vitamin D) beside the scans: a chart on the
    same span of dates as the DXA chart, and a table with each value as printed."""
    results = sorted(snapshot.markers, key=lambda result: (result.measured_on, result.marker))
    if not results and not snapshot.deleted_markers:
        return  # most patients have none: no empty section
    _heading(pdf, "Bone markers and vitamin D (lab results)", room=80)
    if not results:
        _line(pdf, "No lab results recorded.")
    else:
        span = None
        if snapshot.dxa:
            scanned = [scan.scanned_on for scan in snapshot.dxa]
            span = (min(scanned), max(scanned))
        series = [
            MarkerSeries(
                labels.marker_short(marker),
                RULES[marker].unit.label,
                tuple((r.measured_on, r.value) for r in results if r.marker == marker),
            )
            for marker in MARKERS
            if any(r.marker == marker for r in results)
        ]
        top = pdf.get_y()
        height = _image(pdf, bone_markers_png(series, span=span), pdf.l_margin, top, _HALF)
        pdf.set_y(top)
        rows = [
            (
                day_text(result.measured_on) + (" *" if result.changes else ""),
                labels.marker_short(result.marker),
                f"{result.typed_value} {result.typed_unit}",
                f"{result.value:.4g} {result.unit}",
            )
            for result in results
        ]
        headings = ("Sample", "Test", "As printed", "In its unit")
        widths = (24, 20, 22, 22)
        _table(pdf, headings, rows, widths, width=_HALF, table_align="RIGHT")
        note = CORRECTED_NOTE if any(result.changes for result in results) else ""
        if snapshot.deleted_markers:
            note += MARKERS_DELETED_NOTE.format(count=len(snapshot.deleted_markers))
        note += MARKER_CHANGES_WHERE if note else ""
        pdf.set_x(pdf.l_margin + _HALF + 4)
        pdf.set_font(FONT, "", 7.5)
        pdf.set_text_color(*_GREY)
        pdf.multi_cell(
            _HALF,
            3.6,
            "Typed by the patient from the lab report; each test is kept in one unit "
            "(25-OH vitamin D: 1 ng/mL = 2.496 nmol/L; CTX: 1 ng/mL = 1000 pg/mL)." + note,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_text_color(0)
        pdf.set_y(max(pdf.get_y(), top + height) + 1)


def _t_score(value: float | None) -> str:
    return NONE_SHOWN if value is None else f"{value:.1f}"


def _who(point: TScorePoint) -> str:
    """Classify a scan by its lowest site, as densitometry reports do (ISCD)."""
    scores = [value for value in point.t_scores if value is not None]
    return classify(min(scores)).value if scores else NONE_SHOWN


def _clinic_and_appointments(pdf: FPDF, snapshot: ExportSnapshot) -> None:
    """Show clinic-given doses and upcoming appointments side by side: both are short."""
    given = [
        (day_text(row.given_on), labels.medicine_title(row.product_key))
        for row in sorted(snapshot.clinic_agents, key=lambda row: row.given_on)
    ]
    upcoming = [
        (_moment(snapshot, row.starts_at), row.description)
        for row in sorted(snapshot.appointments, key=lambda row: row.starts_at)
    ]
    columns = (
        ("Clinic-given bone medicine", ("Given on", "Medicine"), given, (22, 66)),
        ("Upcoming appointments", ("When", "What"), upcoming, (32, 56)),
    )
    if max(len(given), len(upcoming)) > SIDE_BY_SIDE_ROWS:  # too long to share a page row
        for title, headings, rows, widths in columns:
            _heading(pdf, title)
            if rows:
                _table(pdf, headings, rows, widths)
            else:
                _line(pdf, "None recorded.")
        return
    if pdf.will_page_break(35):
        pdf.add_page()
    pdf.ln(2.5)
    top = pdf.get_y()
    bottoms = []
    for index, (title, headings, rows, widths) in enumerate(columns):
        x = pdf.l_margin + index * (_HALF + 4)
        pdf.set_xy(x, top)
        pdf.set_font(FONT, "B", 11.5)
        pdf.cell(_HALF, 5.75, title, new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_y(pdf.get_y() + 0.8)
        if rows:
            side = "LEFT" if index == 0 else "RIGHT"
            _table(pdf, headings, rows, widths, width=_HALF, table_align=side)
        else:
            pdf.set_x(x)
            pdf.set_font(FONT, "", 9)
            pdf.cell(_HALF, 4.5, "None recorded.", new_x=XPos.LEFT, new_y=YPos.NEXT)
        bottoms.append(pdf.get_y())
    pdf.set_y(max(bottoms))


def _moment(snapshot: ExportSnapshot, instant: datetime) -> str:
    local = snapshot.local(instant)
    return f"{day_text(local.date())}, {local:%H:%M}"


def _notes(pdf: FPDF, snapshot: ExportSnapshot) -> None:
    notes = [
        (checkin_time(checkin), checkin.note)
        for checkin in sorted(snapshot.checkins, key=checkin_time)
        if checkin.note
    ]
    if not notes:
        return
    _heading(pdf, "Notes from the patient to the care team")
    shown = notes[-NOTES_SHOWN:]
    for at, note in shown:
        text = note if len(note) <= NOTE_CHARS else note[: NOTE_CHARS - 1].rstrip(" ,;") + "…"
        _line(pdf, f"{day_text(snapshot.local(at).date())}: {text}", size=8.5)
        pdf.ln(0.6)
    if len(notes) > len(shown) or any(len(note) > NOTE_CHARS for _, note in shown):
        _line(
            pdf,
            f"Showing the latest {len(shown)} of {len(notes)} notes, shortened; the CSV and "
            "FHIR exports hold them in full.",
            size=7.5,
            grey=True,
        )


# --- Images ----------------------------------------------------------------------------------


def png_size(png: bytes) -> tuple[int, int]:
    """Return a PNG's width and height in pixels, read from its header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _image(pdf: FPDF, png: bytes, x: float, y: float, width: float) -> float:
    """Place a PNG at a width; return its height on the page."""
    pixels_wide, pixels_high = png_size(png)
    height = width * pixels_high / pixels_wide
    pdf.image(BytesIO(png), x=x, y=y, w=width, h=height)
    return height


def _images_side_by_side(pdf: FPDF, pngs: Sequence[bytes]) -> None:
    """Place charts two to a row, each row on one page."""
    for index in range(0, len(pngs), 2):
        pair = pngs[index : index + 2]
        heights = [_HALF * h / w for w, h in map(png_size, pair)]
        if pdf.will_page_break(max(heights)):
            pdf.add_page()
        top = pdf.get_y()
        for column, png in enumerate(pair):
            _image(pdf, png, pdf.l_margin + column * (_HALF + 4), top, _HALF)
        pdf.set_y(top + max(heights) + 2)
