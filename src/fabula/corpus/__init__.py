"""Corpus scale: analyse folders of works on local cores or a Dask cluster into DuckDB, and query them."""
