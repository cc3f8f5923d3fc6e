"""The one base of every problem a user can fix by changing their input, settings or arguments.

The core raises `UserError` subclasses with messages that name the row, the column or the setting and
what to write instead; the shells (the command line, the Excel functions) catch this type alone and show
its message. Any other exception is an internal error: logged with its traceback, shown briefly.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem with what the user gave (a table, a setting, an argument); the message says what to fix."""


class SettingsError(UserError):
    """A setting cannot be used (a time zone, a filing status, a carryover...); the message names the label
    and what to write."""
