"""The report workbook (`cryptotax report --workbook OUT.xlsx`, `cryptotax demo`): one tax year as values.

Sheets: Summary (the year's totals, Schedule D netting, income, tax estimate, every year's figures and a
chart of them), Form 8949 (the year's rows by box), Schedule D (its lines), Lots (open at the end of the
year), Income (the year's income events) and Warnings. No formulas and no macros, so it opens the same in
any spreadsheet program.

Money is rounded to cents (`cents`, as every report line is) and only then written as a number, at this
output edge, so sums in the spreadsheet work. Text that comes from the user's table (IDs, assets, wallets,
and the warnings quoting them) is written as text and passed through `neutralized`, so nothing in it runs as
a formula if the sheet is saved as CSV. The bytes depend only on the report: the workbook's creation date is
fixed and XlsxWriter dates the zip entries 1980-01-01.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import xlsxwriter
from xlsxwriter.workbook import Workbook

from cryptotax_cli.estimate import estimate_rows
from cryptotax_cli.progress import Progress
from cryptotax_cli.report import Report
from cryptotax_cli.sheets import LINE_POINTS, MOST, Formats, Sheet
from cryptotax_core import (
    BOXES,
    INCOME_KINDS,
    SCHEDULE_D_BOX_LINES,
    FormFamily,
    IncomeEvent,
    Pooling,
    Term,
    cents,
)

CREATED = datetime(2025, 1, 1)  # fixed, so the same report gives the same bytes
SUMMARY, FORM8949, SCHEDULE_D, LOTS, INCOME, WARNINGS = "Summary", "Form 8949", "Schedule D", "Lots", "Income", \
    "Warnings"
SHEETS = (SUMMARY, FORM8949, SCHEDULE_D, LOTS, INCOME, WARNINGS)
FORM8949_HEADER = ("Description (a)", "Date acquired (b)", "Date sold (c)", "Proceeds (d)", "Cost basis (e)",
                   "Code (f)", "Adjustment (g)", "Gain or loss (h)", "Term", "Wallet", "Row", "ID", "Lot")


def report_workbook(report: Report) -> bytes:
    """The report workbook as .xlsx bytes. A sheet that would exceed a worksheet's rows is an `OptionError`."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"title": f"cryptotax report {report.year}", "author": "cryptotax",
                             "comments": f"Computed from {report.source}", "created": CREATED})
    formats = Formats(workbook)
    chosen = report.tax_year
    lines = chosen.lines if chosen else ()
    income = [event for event in report.result.income if event.received.year == report.year]
    warnings = report.result.warnings
    with Progress("writing the workbook", len(lines) + len(report.lots) + len(income) + len(warnings)) as bar:
        sheets = {name: Sheet(workbook.add_worksheet(name), formats, bar) for name in SHEETS}
        _summary(workbook, sheets[SUMMARY], report)
        _form8949(sheets[FORM8949], report)
        _schedule_d(sheets[SCHEDULE_D], report)
        _lots(sheets[LOTS], report)
        _income(sheets[INCOME], report, income)
        _warnings(sheets[WARNINGS], report)
        for sheet in sheets.values():
            sheet.finish()
    workbook.close()
    return buffer.getvalue()


# -- Summary -----------------------------------------------------------------------------------------
def _year_totals(sheet: Sheet, report: Report) -> int:
    """The Summary's title and the year's totals by term; returns the last row written."""
    settings, year, summary, chosen = report.settings, report.year, report.summary, report.tax_year
    formats = sheet.formats
    pooling = "per-wallet pools" if settings.pooling is Pooling.WALLET else "universal pools before 2025"
    sheet.title(f"cryptotax report {year}: {report.source}",
                f"{settings.method_for(year).value} · {pooling} · dates in {settings.time_zone} · filing status "
                f"{report.tax_settings.filing_status.value} · figures in USD, rounded to cents per line")
    sheet.sheet.freeze_panes(2, 0)
    row = 3
    sheet.text(row, 0, f"Tax year {year}", formats.heading)
    # proceeds - basis + adjustment (a wash sale's disallowed loss, Form 8949 column g) = gain, on every line
    for column, title in enumerate(("Proceeds", "Cost basis", "Adjustment", "Gain or loss"), start=1):
        sheet.text(row, column, title, formats.header_right)
    both = summary.short_term + summary.long_term
    for label, totals in (("Short-term", summary.short_term), ("Long-term", summary.long_term), ("Total", both)):
        row += 1
        total = label == "Total"
        sheet.text(row, 0, label, formats.total if total else None)
        for column, amount in enumerate((totals.proceeds, totals.cost_basis, totals.adjustment, totals.gain),
                                        start=1):
            sheet.money(row, column, amount, formats.money_total if total else None)
    row += 1
    sheet.integer(row, 1, len(chosen.lines) if chosen else 0)
    sheet.text(row, 0, "Form 8949 rows")
    return row


def _summary(workbook: Workbook, sheet: Sheet, report: Report) -> None:
    year, summary, chosen = report.year, report.summary, report.tax_year
    formats = sheet.formats
    row = _year_totals(sheet, report)

    row += 2
    sheet.text(row, 0, "Schedule D netting", formats.heading)
    if chosen:
        netting, carried_in, out = chosen.netting, chosen.carryover_in, chosen.netting.carryover_out
        amounts: list[tuple[str, Decimal]] = [
            ("Loss carried in, short-term", carried_in.short_term),
            ("Loss carried in, long-term", carried_in.long_term),
            ("Net short-term (line 7)", netting.short_term),
            ("Net long-term (line 15)", netting.long_term),
            ("Net gain or loss (line 16)", netting.total),
            ("Loss deducted this year", netting.deductible_loss),
            (f"Loss carried to {year + 1}, short-term", out.short_term),
            (f"Loss carried to {year + 1}, long-term", out.long_term),
        ]
        row = _label_amounts(sheet, row + 1, amounts)
    else:
        row += 1
        sheet.text(row, 0, f"No disposals or income in {year}", formats.note)

    row += 2
    sheet.text(row, 0, "Ordinary income", formats.heading)
    income = chosen.income if chosen else dict.fromkeys(INCOME_KINDS.values(), Decimal(0))
    row = _label_amounts(sheet, row + 1, [(kind.capitalize(), amount) for kind, amount in income.items()])
    row += 1
    sheet.text(row, 0, "Total", formats.total)
    sheet.money(row, 1, summary.ordinary_income, formats.money_total)

    row += 2
    sheet.text(row, 0, "Tax estimate", formats.heading)
    estimate = chosen.estimate if chosen else None
    if estimate:
        row = _label_amounts(sheet, row + 1, estimate_rows(estimate))
        if estimate.amt_note:
            row += 1
            sheet.text(row, 0, f"Note: {estimate.amt_note}", formats.note, fit=False)
    else:
        row += 1
        sheet.text(row, 0, "none: give your other income for the year (option --other-income, or Other income in "
                           "the workbook's Settings)", formats.note, fit=False)

    row += 2
    _years_table(workbook, sheet, report, row)


def _label_amounts(sheet: Sheet, row: int, amounts: Sequence[tuple[str, Decimal]]) -> int:
    """Label/amount rows from `row`; returns the last row written."""
    for offset, (label, amount) in enumerate(amounts):
        sheet.text(row + offset, 0, label)
        sheet.money(row + offset, 1, amount)
    return row + len(amounts) - 1


def _years_table(workbook: Workbook, sheet: Sheet, report: Report, row: int) -> None:
    """Every year's short-term and long-term gain, income and disposals, and a column chart of the gains."""
    formats = sheet.formats
    sheet.text(row, 0, "Every year", formats.heading)
    row += 1
    titles = ("Year", "Short-term gain", "Long-term gain", "Ordinary income", "Disposals")
    for column, title in enumerate(titles):
        sheet.text(row, column, title, formats.header_right if column else formats.header)
    header_row = row
    for tax_year in report.years.values():
        row += 1
        summary = tax_year.summary
        sheet.integer(row, 0, tax_year.year, formats.year)
        sheet.money(row, 1, summary.short_term.gain)
        sheet.money(row, 2, summary.long_term.gain)
        sheet.money(row, 3, summary.ordinary_income)
        sheet.integer(row, 4, summary.disposals)
    if row == header_row:
        return
    chart = workbook.add_chart({"type": "column"})
    for column, color in ((1, "#5B9BD5"), (2, "#ED7D31")):
        chart.add_series({
            "name": [SUMMARY, header_row, column],
            "categories": [SUMMARY, header_row + 1, 0, row, 0],
            "values": [SUMMARY, header_row + 1, column, row, column],
            "fill": {"color": color},
            "border": {"none": True},
        })
    chart.set_title({"name": "Capital gain or loss per year", "name_font": {"size": 12}})
    chart.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_x_axis({"name": "Tax year", "label_position": "low"})
    chart.set_legend({"position": "bottom"})
    sheet.sheet.insert_chart(3, 6, chart, {"x_scale": 1.25, "y_scale": 1.3})


# -- Form 8949 ---------------------------------------------------------------------------------------
def box_heading(box: str) -> str:
    """`Part I (short-term), box I: digital assets not reported on Form 1099-DA`, from the box table."""
    family, term, reporting = next(key for key, name in BOXES.items() if name == box)
    part = "Part I (short-term)" if term is Term.SHORT else "Part II (long-term)"
    what = "digital assets" if family is FormFamily.DA else "assets"
    form = f"Form {family.value}"
    how = {"basis": f"reported on {form} with their basis", "proceeds": f"reported on {form} without their basis",
           "none": f"not reported on {form}"}[reporting.value]
    return f"{part}, box {box}: {what} {how}"


def _form8949(sheet: Sheet, report: Report) -> None:
    chosen = report.tax_year
    sheet.title(f"Form 8949, tax year {report.year}: {report.source}",
                "One row per lot of each sale, grouped by box; columns (a) to (h) as on the form, then where "
                "the row comes from")
    sheet.header(FORM8949_HEADER, numbers=(3, 4, 6, 7, 10))
    lines = chosen.lines if chosen else ()
    if not lines:
        sheet.text(sheet.row, 0, f"No disposals in {report.year}", sheet.formats.note, fit=False)
        return
    formats = sheet.formats
    row = sheet.row
    for box, total in chosen.boxes.items() if chosen else ():
        sheet.text(row, 0, box_heading(box), formats.heading, fit=False)
        row += 1
        for line in (line for line in lines if line.box == box):
            sheet.text(row, 0, line.description)
            sheet.day(row, 1, line.date_acquired)
            sheet.day(row, 2, line.date_sold)
            sheet.money(row, 3, line.proceeds)
            sheet.money(row, 4, line.cost_basis)
            if line.adjustment_code:
                sheet.text(row, 5, line.adjustment_code)
                sheet.money(row, 6, line.adjustment)
            sheet.money(row, 7, line.gain)
            sheet.text(row, 8, line.term.value)
            sheet.text(row, 9, line.wallet)
            sheet.integer(row, 10, line.row)
            sheet.text(row, 11, line.tx_id)
            sheet.text(row, 12, line.lot_id)
            sheet.bar.advance()
            row += 1
        sheet.text(row, 0, f"Total box {box}", formats.total)
        for column in (1, 2, 5):
            sheet.sheet.write_blank(row, column, None, formats.total)
        for column, amount in ((3, total.proceeds), (4, total.cost_basis), (6, total.adjustment), (7, total.gain)):
            sheet.money(row, column, amount, formats.money_total)
        row += 2


# -- Schedule D --------------------------------------------------------------------------------------
def schedule_d_label(line: str) -> str:
    """What a Schedule D line holds, in the words of `schedule_d_lines`."""
    if line in SCHEDULE_D_BOX_LINES:
        part = "Short-term" if line in ("1b", "2", "3") else "Long-term"
        return f"{part}: totals of Form 8949 boxes {' and '.join(SCHEDULE_D_BOX_LINES[line])}"
    return {
        "6": "Short-term capital loss carryover (from last year)",
        "7": "Net short-term capital gain or (loss)",
        "14": "Long-term capital loss carryover (from last year)",
        "15": "Net long-term capital gain or (loss)",
        "16": "Line 7 + line 15",
        "21": "Capital loss deducted this year (the loss limit)",
    }[line]


def _schedule_d(sheet: Sheet, report: Report) -> None:
    chosen = report.tax_year
    sheet.title(f"Schedule D, tax year {report.year}: {report.source}",
                "Column (h) of the lines fed by Form 8949; losses are negative")
    sheet.header(("Line", "Description", "Amount (h)"), numbers=(2,))
    for line, amount in chosen.schedule_d.items() if chosen else ():
        total = line in ("16", "21")
        sheet.text(sheet.row, 0, f"Line {line}", sheet.formats.total if total else None)
        sheet.text(sheet.row, 1, schedule_d_label(line), sheet.formats.total if total else None)
        sheet.money(sheet.row, 2, amount, sheet.formats.money_total if total else None)
        sheet.row += 1
    if not chosen:
        sheet.text(sheet.row, 0, f"No disposals or income in {report.year}", sheet.formats.note, fit=False)


# -- Lots, Income, Warnings --------------------------------------------------------------------------
def _lots(sheet: Sheet, report: Report) -> None:
    sheet.title(f"Lots open on {report.year}-12-31: {report.source}",
                "What is left of each acquisition, per wallet, with its share of the cost basis")
    sheet.header(("Asset", "Wallet", "Lot", "Row", "Acquired", "Quantity", "Cost basis", "Class"), numbers=(3, 5, 6))
    for lot in report.lots:
        row = sheet.row
        sheet.text(row, 0, lot.asset)
        sheet.text(row, 1, lot.wallet)
        sheet.text(row, 2, lot.lot_id)
        sheet.integer(row, 3, lot.row)
        sheet.day(row, 4, lot.acquired)
        sheet.quantity(row, 5, lot.quantity)
        sheet.money(row, 6, lot.cost_basis)
        sheet.text(row, 7, lot.asset_class.value)
        sheet.bar.advance()
        sheet.row += 1
    if not report.lots:
        sheet.text(sheet.row, 0, "No open lots", sheet.formats.note, fit=False)


def _income(sheet: Sheet, report: Report, events: Sequence[IncomeEvent]) -> None:
    sheet.title(f"Ordinary income received in {report.year}: {report.source}",
                "Fair market value when received; also the cost basis of the units received")
    sheet.header(("Date", "Type", "Asset", "Quantity", "USD value", "Wallet", "Row", "ID"), numbers=(3, 4, 6))
    total = Decimal(0)
    for event in events:
        row = sheet.row
        sheet.day(row, 0, event.received)
        sheet.text(row, 1, event.income_type.value)
        sheet.text(row, 2, event.asset)
        sheet.quantity(row, 3, event.quantity)
        sheet.money(row, 4, event.usd_value)
        sheet.text(row, 5, event.wallet)
        sheet.integer(row, 6, event.row)
        sheet.text(row, 7, event.tx_id)
        total += cents(event.usd_value)
        sheet.bar.advance()
        sheet.row += 1
    if not events:
        sheet.text(sheet.row, 0, f"No income in {report.year}", sheet.formats.note, fit=False)
        return
    sheet.text(sheet.row, 0, "Total", sheet.formats.total)
    for column in (1, 2, 3):
        sheet.sheet.write_blank(sheet.row, column, None, sheet.formats.total)
    sheet.money(sheet.row, 4, total, sheet.formats.money_total)


def _warnings(sheet: Sheet, report: Report) -> None:
    sheet.title(f"Warnings: {report.source}", "Things to look at; none of them stopped the computation")
    sheet.header(("Row", "Column", "Message"), numbers=(0,))
    formats = sheet.formats
    for warning in report.result.warnings:
        row = sheet.row
        if warning.row:
            sheet.integer(row, 0, warning.row, formats.integer_top)
        sheet.text(row, 1, warning.column, formats.top)
        sheet.text(row, 2, warning.message, formats.wrapped)  # wraps beyond the widest column
        # a spreadsheet does not grow a row for wrapped text it did not lay out itself: give it the lines,
        # counting a few characters fewer than the column holds (proportional text, the indent)
        lines = max(1, -(-len(warning.message) // (MOST - 4)))
        if lines > 1:
            sheet.sheet.set_row(row, LINE_POINTS * lines)
        sheet.bar.advance()
        sheet.row += 1
    if not report.result.warnings:
        sheet.text(sheet.row, 0, "No warnings", sheet.formats.note, fit=False)
