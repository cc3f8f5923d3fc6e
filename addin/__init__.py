"""The Excel add-in: xlwings custom functions over cryptotax_core (module `addin.functions`)."""
