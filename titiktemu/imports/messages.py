"""The words of every import problem, keyed by a short machine code: msgids of the one catalog.

A problem keeps its code and values (``params``); it is rendered in the reader's language where
it is shown (:func:`titiktemu.imports.problems.problem_text`). Messages take ``%(value)s`` (the
cell, shortened) and the named details a check passes along: a label kept in both languages
(``label_en`` and ``label_id``) fills ``%(label)s`` in the reader's; a phrase chosen by the check
(``hint``, ``found``...) is a msgid too; a date is written out for the reader (problems.py).
"""

from __future__ import annotations

from typing import Final

from titiktemu.i18n import N_

MESSAGES: Final[dict[str, str]] = {
    # files
    "unknown_kind": N_(
        "cannot tell what '%(value)s' holds: name it after one of %(kinds)s or give the kind"
    ),
    "not_utf8": N_("the file is not UTF-8 text (byte %(position)s): save it as 'CSV UTF-8'"),
    "unsupported_format": N_("old Excel (.xls) files are not read: save as .xlsx or 'CSV UTF-8'"),
    "unreadable_csv": N_("the CSV cannot be read near line %(line)s: %(reason)s"),
    "unreadable_xlsx": N_(
        "the XLSX workbook cannot be read (%(reason)s): save it again from the spreadsheet"
    ),
    "no_header": N_(
        "no header row found: the first row that is not a comment must name the columns"
    ),
    "missing_column": N_("the required column '%(value)s' is missing"),
    "duplicate_column": N_("the column '%(value)s' appears twice"),
    "too_many_rows": N_("more than %(limit)s rows: split the file"),
    # refused before reading (preflight.py): nothing of the upload is kept
    "xlsx_too_large": N_(
        "the workbook unpacks to %(size)s MB, more than the %(limit)s MB that is read: "
        "split it, or remove pictures and sheets not imported"
    ),
    "xlsx_size_lies": N_(
        "the part '%(value)s' unpacks to more than the %(declared)s bytes it declares: a "
        "damaged file or a zip bomb, not a saved spreadsheet — save it again from the "
        "spreadsheet program"
    ),
    "xlsx_packed_too_tightly": N_(
        "the part '%(value)s' is compressed more than %(limit)s times, as no spreadsheet "
        "is: a zip bomb? Save it again from the spreadsheet program"
    ),
    "xlsx_too_many_parts": N_(
        "the workbook holds %(count)s parts, more than %(limit)s: save it again from the "
        "spreadsheet program"
    ),
    "too_many_columns": N_(
        "a sheet reaches column %(value)s (%(count)s columns) but at most %(limit)s are "
        "read: delete the empty columns right of the table and save again"
    ),
    "too_many_sheet_rows": N_(
        "a sheet reaches row %(value)s but at most %(limit)s rows are read: delete the "
        "empty rows below the table, or split the file"
    ),
    "too_many_cells": N_(
        "the workbook holds more than %(limit)s cells (formatted empty cells count too): "
        "split it into several files"
    ),
    "too_many_shared_strings": N_(
        "the workbook's table of texts holds more than %(limit)s different texts: split "
        "it into several files"
    ),
    "csv_too_many_columns": N_(
        "this row has %(count)s columns but at most %(limit)s are read: is it a CSV of "
        "one of our kinds?"
    ),
    "csv_line_too_long": N_("a line is longer than %(limit)s characters: is this a CSV file?"),
    "formula_cell": N_("formula cells are not imported; paste as values"),
    "ignored_column": N_("the column '%(value)s' is not imported (ignored)"),
    # a sheet as a clerk keeps it (headers.py, reading.py)
    "kind_from_header": N_("read as %(value)s from its column names"),
    "title_skipped": N_("title above the table skipped: %(value)s"),
    "kecamatan_heading": N_("heading row: the villages below are in Kecamatan %(value)s"),
    "total_row": N_("totals row skipped (%(value)s)"),
    "nothing_to_import": N_("row skipped: nothing in the imported columns"),
    "program_from_title": N_("program read from the title: %(value)s"),
    "dates_from_title": N_(
        "no date columns: every row is taken as the year %(value)s, from the title"
    ),
    "no_program_in_title": N_(
        "the program column is missing and the title names no single program: add a "
        "'program' column"
    ),
    "no_year_in_title": N_(
        "the date columns are missing and the title gives no year: add 'tanggal mulai' "
        "and 'tanggal selesai'"
    ),
    "read_as": N_("'%(value)s' read as '%(label)s'"),
    "ignored_sheet": N_("the sheet '%(value)s' is not imported (ignored)"),
    "more_problems": N_("%(value)s more problems not listed"),
    "required": N_("a value is needed"),
    # cells
    "too_long": N_("too long: at most %(limit)s characters (has %(length)s)"),
    "bad_date": N_("'%(value)s' is not a date: write 2021-03-01, 01/03/2021 or 1 Maret 2021"),
    "date_out_of_range": N_("the date %(value)s is out of range (2000-2100)"),
    "end_before_start": N_("the end %(value)s comes before the start %(start)s"),
    "bad_number": N_(
        "'%(value)s' is not a number: write a number such as 240000000, 240.000.000, Rp "
        "125 juta or 12 KK"
    ),
    "number_out_of_range": N_("%(value)s is out of range (%(low)s to %(high)s)"),
    "bad_email": N_("'%(value)s' is not an email address"),
    "bad_choice": N_("'%(value)s' is not one of %(choices)s"),
    "too_many_items": N_("too many items: at most %(limit)s"),
    # cell values as clerks write them (parsing.py: numbers and dates; places.py)
    "formula_text": N_("'%(value)s' is a formula: paste the value, not the formula"),
    "not_whole_number": N_("'%(value)s' is not a whole number: %(hint)s"),
    "wrong_amount_kind": N_("'%(value)s' is %(found)s, but this column needs %(needed)s"),
    "amount_per_unit": N_("'%(value)s' is an amount for each one: write the total for the row"),
    "ambiguous_date": N_(
        "'%(value)s' can be read two ways: %(readings)s — write the one meant as "
        "year-month-day, such as %(example)s"
    ),
    "date_weekday_mismatch": N_(
        "'%(value)s': the day does not match the date (%(day)s) — check which is right"
    ),
    "village_not_in_kecamatan": N_("%(name)s is in Kecamatan %(actual)s, not Kecamatan %(given)s"),
    "kecamatan_disagrees": N_(
        "'%(value)s' is Kecamatan %(named)s, but the kecamatan column says %(given)s"
    ),
    # references
    "unknown_village": N_("unknown village '%(name)s' in kecamatan %(kecamatan)s"),
    "unknown_village_name": N_("unknown village '%(value)s'"),
    "unknown_village_code": N_("unknown village code '%(value)s' (is its regency loaded?)"),
    "unknown_kecamatan": N_("unknown kecamatan '%(value)s'"),
    "ambiguous_village": N_(
        "there are several villages named '%(value)s': add the kecamatan ('%(value)s, Kecamatan')"
    ),
    "ambiguous_kecamatan": N_("there are several kecamatan named '%(value)s': use its code"),
    "kecamatan_not_allowed": N_("'%(value)s' is a kecamatan: name a village here"),
    "unknown_skill": N_("unknown skill '%(value)s'"),
    "unknown_activity": N_("unknown activity '%(value)s'"),
    "unknown_program": N_("unknown program '%(value)s'"),
    # a clerk's phrase that fits several entries (phrases.py, lookups.py; regency synonyms)
    "ambiguous_skill": N_("'%(value)s' fits several skills: %(options)s — choose one"),
    "ambiguous_activity": N_("'%(value)s' fits several activities: %(options)s — choose one"),
    "ambiguous_program": N_("'%(value)s' fits several programs: %(options)s — choose one"),
    "ambiguous_funding": N_(
        "'%(value)s' names several funding sources: %(options)s — choose the one that pays"
    ),
    "unknown_person": N_(
        "nobody with the email '%(value)s' is known: add them in the people sheet"
    ),
    "person_refused": N_(
        "'%(value)s' is refused in %(other_file)s row %(other)s: fix that row first"
    ),
    "program_refused": N_(
        "'%(value)s' is refused in %(other_file)s row %(other)s: fix that row first"
    ),
    "duplicate_key": N_("the same %(what)s as row %(other)s of %(other_file)s"),
    # scope
    "out_of_scope": N_("'%(value)s' is outside your regency %(regency)s"),
    "other_regency": N_(
        "'%(value)s' %(where)s, not in regency %(regency)s where this row is: name people "
        "of that regency only"
    ),
    "role_not_allowed": N_("only an admin may make someone an admin"),
    "program_shared": N_(
        "program '%(value)s' is shared by every regency: only an admin may change it"
    ),
    # writing
    "write_failed": N_("the database refused the import, nothing was written: %(reason)s"),
}
