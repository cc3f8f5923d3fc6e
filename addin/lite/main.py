"""cryptotax in xlwings Lite: Excel on Windows, macOS and the web, with Python inside the add-in.

Paste this file into the main.py tab of xlwings Lite (replacing the sample code there) and the lines of
requirements.txt beside it into the requirements.txt tab; docs/excel.md has every step.

The functions are the ones of the desktop add-in, with the same names and no namespace, so a formula
reads the same in both: =GAINLOSS(Transactions[#All],TaxYear,"long",,Settings). In a workbook whose
formulas were written elsewhere (the cryptotax template, a file from Windows Excel) they show #NAME?
until entered again: run the script bind_formulas once, then save the workbook.
"""

from addin.bind import bind_formulas  # noqa: F401  (a script: enters the workbook's formulas again)
from addin.functions import *  # noqa: F403  (every function: xlwings Lite registers those main.py holds)
