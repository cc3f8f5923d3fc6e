"""What the template says and where: sheet names, texts, the settings block, column formats and the
formulas of the result sheets. Data only; `build.py` writes it and `cached.py` computes the formulas."""

from __future__ import annotations

from dataclasses import dataclass

from cryptotax_core import (
    COLUMNS,
    AssetClass,
    FilingStatus,
    Method,
    Pooling,
    Reporting,
    TransferFee,
    TxType,
)

TABLE = "Transactions"
ALL_ROWS = f"{TABLE}[#All]"  # what every function takes: the whole table, header included

START, TRANSACTIONS, SETTINGS, SUMMARY, LOTS, FORM8949, XLWINGS_CONF = (
    "Start", "Transactions", "Settings", "Summary", "Lots", "Form 8949", "xlwings.conf")
SHEETS = (START, TRANSACTIONS, SETTINGS, SUMMARY, LOTS, FORM8949, XLWINGS_CONF)

# -- number formats --------------------------------------------------------------------------------
DATE_TIME = "yyyy-mm-dd hh:mm"
DATE = "yyyy-mm-dd"
MONEY = "#,##0.00"
GAIN = "#,##0.00;[Red]-#,##0.00"  # results: a loss in red
BLANK_ZERO = "#,##0.00;-#,##0.00;;@"  # an amount that is usually none (Form 8949 column g)
QUANTITY = "0.########"
WHOLE = "0"  # a whole quantity (conditional format: no trailing point) and years
UNIT_COST = "#,##0.00######"

# -- Transactions ----------------------------------------------------------------------------------
VALIDATION_LAST_ROW = 20000  # dropdowns reach this sheet row, so pasted rows get them


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    width: float
    number_format: str | None
    note: str


_TRANSACTION_COLUMNS = {
    "ID": (12, None, "Unique text per row (blank: 'row N'). Lot IDs refer to it."),
    "Date": (17, DATE_TIME, "Your local date, or date and time: 2025-03-14 or 2025-03-14 21:05."),
    "Type": (11, None, "Buy, Sell, Trade, Spend, Transfer, Income, Staking, Mining, Airdrop or Interest."),
    "Asset": (9, None, "Ticker of what leaves (Sell, Trade, Spend, Transfer) or arrives (Buy, income)."),
    "Quantity": (15, QUANTITY, "Units of Asset, greater than 0."),
    "USD Value": (14, MONEY, "Buy: USD paid. Sell: USD received. Trade: value of what is received. Spend: "
                             "value of the goods. Income types: value received. Blank for Transfer."),
    "Fee USD": (11, MONEY, "Fee in USD: adds to basis on a Buy, reduces proceeds on a Sell, Trade or Spend, "
                           "is the network fee's value on a Transfer."),
    "Wallet": (13, None, "Wallet or account the units leave or arrive in."),
    "To Wallet": (13, None, "Transfer only: the destination wallet."),
    "Received Asset": (13, None, "Trade: the asset received."),
    "Received Quantity": (15, QUANTITY, "Trade: units received. Transfer: units that arrive, if a network "
                                        "fee was paid in the asset."),
    "Lot IDs": (14, None, "Specific identification: IDs of acquisition rows, e.g. B7:0.25, B9."),
    "Class": (9, None, "Crypto (default) or Stock."),
    "Broker Reported": (13, None, "What a 1099-B / 1099-DA reported: None, Proceeds or Basis. Blank: the "
                                  "wallet's setting, else None."),
    "Note": (32, None, "Free text."),
}
TRANSACTION_COLUMNS = tuple(Column(name, *_TRANSACTION_COLUMNS[name]) for name in COLUMNS)
DROPDOWNS = {  # column -> choices
    "Type": tuple(member.value for member in TxType),
    "Class": tuple(member.value for member in AssetClass),
    "Broker Reported": tuple(member.value.capitalize() for member in Reporting),
}

# -- Settings --------------------------------------------------------------------------------------
SETTINGS_FIRST_ROW = 4  # sheet row of the first setting (1: title, 2: note, 3: column headings)
TIME_ZONES = ("UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
              "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu")


@dataclass(frozen=True, slots=True)
class Setting:
    label: str
    value: str | float | None
    name: str | None  # defined name of the value cell
    choices: tuple[str, ...] = ()
    explanation: str = ""
    number_format: str | None = None
    strict: bool = True  # a value outside `choices` is refused (else only a hint)


SETTINGS_ROWS: tuple[Setting, ...] = (
    Setting("Tax year", 2025, "TaxYear", explanation="The year Summary and Form 8949 show.",
            number_format=WHOLE),
    Setting("Method", Method.FIFO.value, "Method", tuple(member.value for member in Method),
            "How lots are relieved when a row names no Lot IDs: FIFO, LIFO, HIFO (highest cost first), LOFO "
            "or SPECIFIC (every disposal names its lots)."),
    Setting("Pooling", Pooling.WALLET.value, "Pooling", tuple(member.value for member in Pooling),
            "wallet: lots per wallet. universal: one pool per asset before 2025, allocated to the wallets on "
            "2025-01-01."),
    Setting("Time zone", "UTC", "TimeZone", TIME_ZONES,
            "Your time zone (any IANA name, e.g. America/New_York; UTC unless you change it); times with an "
            "offset are converted to it.",
            strict=False),
    Setting("Transfer fee", TransferFee.DISPOSE.value, "TransferFee", tuple(member.value for member in TransferFee),
            "Units lost to a transfer's network fee: dispose (a sale at Fee USD) or basis (added to the units "
            "that arrive)."),
    Setting("Allow shortfall", "no", "AllowShortfall", ("no", "yes"),
            "no: selling more than a wallet holds is an error. yes: the missing units get a zero basis and a "
            "warning."),
    Setting("Filing status", FilingStatus.SINGLE.value, "FilingStatus", tuple(member.value for member in FilingStatus),
            "single, mfj (married filing jointly), mfs (married filing separately) or hoh (head of household): "
            "the loss limit and the tax brackets."),
    Setting("Carryover short-term", 0, "CarryoverShort", explanation="Short-term capital loss carried into the "
            "first year of your data, as a positive amount.", number_format=MONEY),
    Setting("Carryover long-term", 0, "CarryoverLong", explanation="Long-term capital loss carried into the first "
            "year of your data, as a positive amount.", number_format=MONEY),
    Setting("Table income in other income", "no", "TableIncomeInOtherIncome", ("no", "yes"),
            "no: the tax estimate adds the year's income rows of Transactions (staking, mining, ...) to your "
            "Other income. yes: your Other income figures already include them."),
)
OPTIONAL_ROWS: tuple[str, ...] = (  # blank rows for the user's own lines; column C hints at what to type
    'Optional lines: a label in A, a value in B. "Method 2024" and HIFO: a method for one year.',
    '"Other income 2025" and your taxable income besides capital gains (after the deduction): adds the tax '
    'estimate.',
    '"Itemized deduction 2025" and your itemized deductions, if you itemize: used instead of the standard '
    'deduction.',
    '"Taxable income 2025" and Form 1040 line 15: for the capital loss carryover worksheet.',
    '"Reported Coinbase" and none, proceeds or basis: what a broker reports on its 1099.',
    "",
    "",
)
SETTINGS_LAST_ROW = SETTINGS_FIRST_ROW + len(SETTINGS_ROWS) + len(OPTIONAL_ROWS) - 1
SETTINGS_RANGE = f"$A${SETTINGS_FIRST_ROW}:$B${SETTINGS_LAST_ROW}"

# -- results ---------------------------------------------------------------------------------------
LOTS_COLUMNS: dict[str, tuple[float, str | None]] = {  # header -> (width, number format)
    "Lot": (12, None), "Asset": (8, None), "Wallet": (13, None), "Acquired": (12, DATE),
    "Quantity": (16, QUANTITY), "Cost basis": (14, MONEY), "Unit cost": (15, UNIT_COST),
    "Long-term from": (16, DATE),
}
CENTERED = frozenset({"Box", "Code", "Term", "Row"})  # short codes, centred so they keep apart from neighbours
DISPOSALS_COLUMNS: dict[str, tuple[float, str | None]] = {
    "Box": (5, None), "Description": (18, None), "Date acquired": (14, DATE), "Date sold": (12, DATE),
    "Proceeds": (13, MONEY), "Cost basis": (13, MONEY), "Code": (7, None), "Adjustment": (12, BLANK_ZERO),
    "Gain or loss": (14, GAIN), "Term": (7, None), "Row": (6, WHOLE), "ID": (11, None), "Lot": (11, None),
    "Wallet": (13, None),
}


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference in a formula: a structured reference, a defined name or a cell of the same sheet."""

    text: str


TRANSACTIONS_ALL, TAX_YEAR, SETTINGS_NAME = Ref(ALL_ROWS), Ref("TaxYear"), Ref("Settings")


@dataclass(frozen=True, slots=True)
class Call:
    """One of our functions with its arguments: a `Ref`, a text literal, or None for an omitted argument."""

    function: str
    args: tuple[Ref | str | None, ...]

    def formula(self) -> str:
        def text(arg: Ref | str | None) -> str:
            if isinstance(arg, Ref):
                return arg.text
            return "" if arg is None else '"' + arg.replace('"', '""') + '"'

        return f"={self.function}({','.join(text(arg) for arg in self.args)})"


@dataclass(frozen=True, slots=True)
class Placed:
    """A call written as a dynamic-array formula whose top-left cell is `cell` on `sheet`."""

    sheet: str
    cell: str
    call: Call
    kind: str  # how its values are formatted: "labelled" (label/value pairs), "table" (header row), "list"


FORMULAS: tuple[Placed, ...] = (  # in order of evaluation: a cell is computed before the formulas that use it
    Placed(SUMMARY, "A5", Call("TAXSUMMARY", (TRANSACTIONS_ALL, TAX_YEAR, SETTINGS_NAME)), "labelled"),
    Placed(SUMMARY, "E5", Call("GAINLOSS", (TRANSACTIONS_ALL, TAX_YEAR, "short", None, SETTINGS_NAME)), "labelled"),
    Placed(SUMMARY, "E6", Call("GAINLOSS", (TRANSACTIONS_ALL, TAX_YEAR, "long", None, SETTINGS_NAME)), "labelled"),
    # the carryover into the tax year: TAXSUMMARY's "Carryover in" rows (B16:B17), so the block agrees with it
    Placed(SUMMARY, "D9", Call("NETCAPITAL", (Ref("E5"), Ref("E6"), Ref("B16"), Ref("B17"),
                                               Ref("FilingStatus"))), "labelled"),
    Placed(SUMMARY, "D18", Call("INCOME", (TRANSACTIONS_ALL, TAX_YEAR, None, SETTINGS_NAME)), "labelled"),
    Placed(SUMMARY, "G5", Call("CHECK", (TRANSACTIONS_ALL, SETTINGS_NAME)), "list"),
    Placed(LOTS, "A3", Call("LOTS", (TRANSACTIONS_ALL, None, None, None, SETTINGS_NAME)), "table"),
    Placed(FORM8949, "A3", Call("DISPOSALS", (TRANSACTIONS_ALL, TAX_YEAR, SETTINGS_NAME)), "table"),
)
SUMMARY_HEADINGS = {  # cell -> (heading, columns its rule spans)
    "A4": ("Tax year summary", 2), "D4": ("Capital gain or loss", 2),
    "D8": ("Schedule D netting, with the carryover in", 2), "D17": ("Ordinary income", 2), "G4": ("Checks", 1),
}
SUMMARY_LABELS = {"D5": "Short-term", "D6": "Long-term"}  # beside the GAINLOSS cells E5 and E6

# -- Start -----------------------------------------------------------------------------------------
TITLE = "cryptotax"
SUBTITLE = "US capital gains for crypto and stock, from the trades you keep in this workbook"
STEPS = (
    "Enter your trades on the Transactions sheet, one row per buy, sale, trade, transfer or income. Paste them "
    "into the first empty row of the table (row 2 in a new workbook): the table grows when you paste or type "
    "directly below its last row. Hover over a heading to see what the column means.",
    "Type, Class and Broker Reported have dropdowns. Dates are your local dates; amounts are in USD.",
    "On the Settings sheet choose the tax year, the lot relief method, your filing status and the other "
    "settings; each is explained next to it.",
    "Read Summary first: its Checks list names the row and column of every problem in your trades. Then the "
    "year's totals, Schedule D netting and ordinary income.",
    "Lots lists the units you hold and their cost basis; Form 8949 lists the year's disposals, one line per "
    "lot, sorted into the form's boxes.",
    "The results are formulas of the cryptotax add-in, e.g. =GAINLOSS(Transactions[#All],TaxYear,\"long\",,"
    "Settings). Until the functions are connected they show the figures stored when the workbook was made. "
    "Connect them as docs/excel.md, 'Use it in Excel', says: in Windows desktop Excel with the xlwings add-in, then "
    "Ctrl+Alt+F9; on a Mac, on the web or on Windows with xlwings Lite, then its script bind_formulas once.",
)
FUNCTIONS = (
    ("COSTBASIS(transactions, asset, [wallet], [as_of], [settings])", "basis of the units held"),
    ("GAINLOSS(transactions, year, [term], [asset], [settings])", "realized gain or loss: term all, short or long"),
    ("NETCAPITAL(short_term, long_term, [carryover_short], [carryover_long], [filing_status])",
     "Schedule D netting, loss limit and carryover"),
    ("TAXSUMMARY(transactions, year, [settings])", "the year's totals and tax estimate"),
    ("INCOME(transactions, year, [type], [settings])", "ordinary income, one type or all"),
    ("LOTS(transactions, [asset], [wallet], [as_of], [settings])", "open lots"),
    ("DISPOSALS(transactions, year, [settings])", "Form 8949 lines"),
    ("HOLDINGTERM(acquired, disposed)", "short or long"),
    ("CHECK(transactions, [settings])", "problems in the table, or OK"),
    ("UNREALIZED(transactions, prices, [as_of], [asset], [wallet], [settings])",
     "open lots at your prices: unrealized gain, term"),
    ("HARVEST(transactions, prices, [as_of], [settings])", "tax-loss harvest: the plan, the loss lots ranked"),
    ("METHODCOMPARE(transactions, year, [settings])", "the year under each lot relief method"),
    ("WHATIF(transactions, asset, quantity_to_sell, price, [wallet], [sale_date], [settings])",
     "a sale before you make it: gain, tax change"),
    ("RECONCILE(transactions, broker_form, [year], [wallet], [settings])",
     "a broker's 1099-DA against your sales: Form 8949 box and code"),
)
"""Every function of addin.functions (a test checks), with what it returns."""
FUNCTIONS_NOTE = "Each function's arguments and what it returns: docs/excel.md, 'The functions'."
DISCLAIMER = ("cryptotax computes figures for your return from the data you enter. It is not tax advice: check "
              "the results, keep your records, and ask a tax professional about your situation.")
XLWINGS_NOTE = ("xlwings reads its settings for this workbook from A:B of this sheet. UDF Modules names the Python "
                "module with the cryptotax functions; add lines directly below (e.g. Interpreter_Win) if needed.")
