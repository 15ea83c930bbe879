"""Spreadsheet import: CSV or XLSX in, all or nothing, with a row-level report.

Interface (kept stable for the web upload, the API and the command line):

- ``Upload(name, data)``: one uploaded file, its name as given and its bytes.
- ``run_import(session, uploads, actor, *, dry_run, kind=None) -> ImportRun``: reads and checks
  every row of every file; the run keeps the files (``import_files``). With any problem nothing
  is written but the run (status ``rejected``, ``problems`` listed); with ``dry_run`` nothing is
  written but the run (status ``checked``, ``counts`` of new/updated/unchanged per kind); otherwise everything is
  written in the caller's transaction (status ``applied``) and a rebuild of each affected
  regency is enqueued (``job_ids``), which runs after the caller commits. The caller commits.
- ``actor`` None means the operator (command line): no regency limit. Otherwise the person must be
  a coordinator or admin, and rows outside a coordinator's regency are problems.

Also:

- ``KINDS``: the importable kinds in the order they are applied; ``COLUMNS[kind]`` their columns.
- ``kind_of_name(name)``: the kind a file or sheet name says (``needs.csv`` -> ``needs``), or None.
- ``template_csv(kind) -> bytes`` (UTF-8 with BOM) and ``template_xlsx(kinds) -> bytes`` (one sheet
  per kind): an Indonesian ``#`` comment row, then the header; each imports as an empty upload.
- ``scope_of(actor)``: raises PermissionError for anyone who may not import (facilitators).

Each entry of ``ImportRun.problems`` is a dict with ``file, kind, row, column, value, code,
text_en, text_id, suggestion, level``: ``level`` is "error" for a problem (the run is rejected)
or "note" for something only worth saying (an ignored extra column, ``code`` "ignored_column").
``row`` is the spreadsheet's 1-based row number, 0 for a problem of the whole file.
"""

from titiktemu.services.imports.columns import COLUMNS, KINDS
from titiktemu.services.imports.reading import Upload, kind_of_name
from titiktemu.services.imports.run import run_import, scope_of
from titiktemu.services.imports.templates import template_csv, template_xlsx

__all__ = [
    "COLUMNS",
    "KINDS",
    "Upload",
    "kind_of_name",
    "run_import",
    "scope_of",
    "template_csv",
    "template_xlsx",
]
