"""Scorers against LitBank, PDNC and CoNLL-U, read straight from the datasets' own files."""
