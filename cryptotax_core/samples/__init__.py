"""Built-in sample data."""

from pathlib import Path

SAMPLE_HISTORY = Path(__file__).with_name("sample_history.csv")
