#!/usr/bin/env bash
# Look at the template and the report workbook as a person would: build them (the template with and without
# the sample history; the report workbook of the sample's 2026 and of a small history with long warnings),
# print every sheet to PDF with LibreOffice and turn the pages into PNGs.
#   bash workbook_templates/render.sh [OUT_DIR]      (default /tmp/cryptotax-render)
# Needs: apt-get install libreoffice-calc-nogui poppler-utils. Not run by the tests.
#
# LibreOffice does not know our functions and recalculates every array formula on load, whatever its
# recalculation setting, so it shows #NAME? where Excel shows the stored values. To see those values
# (what Excel shows before it recalculates), each build is also rendered from a copy whose formulas are
# replaced by their stored values: cryptotax-values-N.png (sample), cryptotax-empty-values-N.png (the
# shipped template). cryptotax-asis-N.png is the sample build as LibreOffice shows it.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(realpath -m "${1:-/tmp/cryptotax-render}")
PYTHON=${PYTHON:-.venv/bin/python}
PROFILE="$OUT/lo-profile"
mkdir -p "$OUT" "$PROFILE/user"
rm -f "$OUT"/*.png "$OUT"/*.pdf

"$PYTHON" -m workbook_templates.build "$OUT/cryptotax-asis.xlsx" --with-sample
"$PYTHON" -m workbook_templates.build "$OUT/cryptotax-empty-asis.xlsx"
# the report workbook: values only, so LibreOffice shows it as Excel does
"$PYTHON" -m cryptotax_cli.main report cryptotax_core/samples/sample_history.csv --year 2026 \
    --other-income 2026=90000 --workbook "$OUT/report.xlsx" --force >/dev/null
cat > "$OUT/warnings.csv" <<'CSV'
ID,Date,Type,Asset,Quantity,USD Value,Fee USD,Wallet,To Wallet,Note
B1,2025-01-10,Buy,ETH,2,8000,,Coinbase,,
S1,2025-03-01,Sell,ETH,1,3000,,Coinbase,,a loss
B2,2025-03-10,Buy,ETH,1,2900,,Coinbase,,bought back within 30 days
,,,,,,,,,
T1,2025-04-01,Transfer,ETH,0.5,,0.004,Coinbase,Ledger,
S2,2025-06-01,Sell,ETH,3,9000,,Coinbase,,more than held
CSV
"$PYTHON" -m cryptotax_cli.main report "$OUT/warnings.csv" --allow-shortfall --workbook "$OUT/report-warnings.xlsx" \
    --force >/dev/null
for book in cryptotax cryptotax-empty; do
"$PYTHON" - "$OUT/$book-asis.xlsx" "$OUT/$book-values.xlsx" <<'PY'
"""Copy an XlsxWriter workbook with each formula replaced by its stored value."""
import re
import sys
import zipfile

source, target = sys.argv[1:]
formula = re.compile(r'<c ([^>]*?) cm="1"( t="str")?><f[^>]*>.*?</f><v>(.*?)</v></c>|<c ([^>]*?)><f[^>]*>.*?</f>')


def value_cell(match: re.Match[str]) -> str:
    if match.group(4) is not None:  # a plain formula: keep its <v>
        return f"<c {match.group(4)}>"
    attributes, is_text, value = match.group(1), match.group(2), match.group(3)
    if is_text:
        return f'<c {attributes} t="inlineStr"><is><t>{value}</t></is></c>'
    return f"<c {attributes}><v>{value}</v></c>"


with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
    for item in old.infolist():
        data = old.read(item)
        if item.filename.startswith("xl/worksheets/sheet"):
            data = formula.sub(value_cell, data.decode()).encode()
        new.writestr(item, data)
PY
done

# OOXMLRecalcMode 1: never recalculate an Excel 2007+ file on load (plain formulas keep their values).
cat > "$PROFILE/user/registrymodifications.xcu" <<'XCU'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>1</value></prop></item>
</oor:items>
XCU

for book in cryptotax-values cryptotax-asis cryptotax-empty-values report report-warnings; do
    soffice -env:UserInstallation="file://$PROFILE" --headless --convert-to pdf --outdir "$OUT" \
        "$OUT/$book.xlsx" >/dev/null 2>&1
    pdftoppm -png -r 110 "$OUT/$book.pdf" "$OUT/$book"
done
ls "$OUT"/*.png
