"""Exports: the regency's tables as plain rows, and the writers and formats that carry them out.

Builders read for one regency and one viewer and return plain values; writers and formats never
touch the database, so CSV, XLSX, HTML, IATI and HXL all say the same thing.
"""
