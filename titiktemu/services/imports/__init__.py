"""Spreadsheet import: CSV or XLSX in, all or nothing, with a row-level report.

Interface (kept stable for the web upload, the API and the command line):

- ``Upload(name, data)``: one uploaded file, its name as given and its bytes.
- ``run_import(session, uploads, actor, *, dry_run, kind=None) -> ImportRun``: reads and checks
  every row of every file; with any problem nothing is written but the ImportRun (status
  ``rejected``, ``problems`` listed); with ``dry_run`` nothing is written but the ImportRun
  (status ``checked``, ``counts`` of new/updated/unchanged per kind); otherwise everything is
  written in the caller's transaction (status ``applied``) and a rebuild of each affected
  regency is enqueued (``job_ids``), which runs after the caller commits. The caller commits.
- ``actor`` None means the operator (command line): no regency limit. Otherwise the person must be
  a coordinator or admin, and rows outside a coordinator's regency are problems.
"""
