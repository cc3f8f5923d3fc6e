"""The cryptotax Excel template: `build.build_template` writes it; `cryptotax.xlsx` is the shipped build.

    python -m workbook_templates.build OUT.xlsx [--with-sample]
"""
