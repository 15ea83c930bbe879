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
- ``per_hour``: the page and the API pass the setting ``imports_per_hour``; a person with that
  many runs in the last hour gets ``TooManyImports`` (``retry_after`` seconds) and nothing is
  read or kept. The command line passes nothing.
- Files are kept with applied runs and each person's last checked run; ``prune_import_files``
  (a beat job) drops those of rejected and replaced checked runs once a day old.
- ``limits``: the page, the API and the command line pass the setting ``upload_limits``. A file
  over one (an XLSX unpacking past its size or its declared size, compressed like a zip bomb,
  a sheet past its columns, rows or cells, too many shared strings; a CSV line or row too long)
  raises ``UploadRefused`` before openpyxl or ``csv`` reads it: its ``status`` is 413 or 422,
  its ``problem`` an entry like those below, and nothing is read or kept (``preflight.py``).
  File names are kept without control characters, cut to 255 characters.
- A row names people (a facilitator, an owner) only of the regency its places are in
  (problem ``other_regency``).
- Applying (not a dry run) takes the import lock of the actor's regency (of every regency for
  the operator and an admin without one, ``titiktemu.jobs.locks``) before reading what is
  stored, and holds it until the caller commits: a second import of the regency waits, then
  finds the first one's rows.

Also:

- ``KINDS``: the importable kinds in the order they are applied; ``COLUMNS[kind]`` their columns.
- ``kind_of_name(name)``: the kind a file or sheet name says (``needs.csv`` -> ``needs``), or None.
- ``template_csv(kind) -> bytes`` (UTF-8 with BOM) and ``template_xlsx(kinds) -> bytes`` (one sheet
  per kind): an Indonesian ``#`` comment row, then the header; each imports as an empty upload.
- ``scope_of(actor)``: raises PermissionError for anyone who may not import (facilitators).

Each entry of ``ImportRun.problems`` is a dict with ``file, kind, row, column, value, code,
params, text_en, text_id, suggestion, level`` (shown with ``problems.problem_text(entry, lang)``,
from the one catalog): ``level`` is "error" for a problem (the run is rejected)
or "note" for something only worth saying (an ignored extra column, ``code`` "ignored_column").
``row`` is the spreadsheet's 1-based row number, 0 for a problem of the whole file.
"""

from titiktemu.imports.columns import COLUMNS, KINDS
from titiktemu.imports.preflight import UploadRefused
from titiktemu.imports.quota import TooManyImports
from titiktemu.imports.reading import Upload, kind_of_name
from titiktemu.imports.retention import prune_import_files
from titiktemu.imports.run import run_import, scope_of
from titiktemu.imports.templates import template_csv, template_xlsx

__all__ = [
    "COLUMNS",
    "KINDS",
    "TooManyImports",
    "Upload",
    "UploadRefused",
    "kind_of_name",
    "prune_import_files",
    "run_import",
    "scope_of",
    "template_csv",
    "template_xlsx",
]
