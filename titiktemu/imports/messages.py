"""The words of every import problem, English and Indonesian, keyed by a short machine code.

Templates take ``{value}`` (the cell, shortened) and the named details a check passes along.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # files
    "unknown_kind": (
        "cannot tell what '{value}' holds: name it after one of {kinds} or give the kind",
        "isi '{value}' tidak dikenali: beri nama salah satu dari {kinds} atau sebutkan jenisnya",
    ),
    "not_utf8": (
        "the file is not UTF-8 text (byte {position}): save it as 'CSV UTF-8'",
        "berkas bukan teks UTF-8 (byte ke-{position}): simpan sebagai 'CSV UTF-8'",
    ),
    "unsupported_format": (
        "old Excel (.xls) files are not read: save as .xlsx or 'CSV UTF-8'",
        "berkas Excel lama (.xls) tidak dibaca: simpan sebagai .xlsx atau 'CSV UTF-8'",
    ),
    "unreadable_csv": (
        "the CSV cannot be read near line {line}: {reason}",
        "CSV tidak dapat dibaca di sekitar baris {line}: {reason}",
    ),
    "unreadable_xlsx": (
        "the XLSX workbook cannot be read ({reason}): save it again from the spreadsheet",
        "buku kerja XLSX tidak dapat dibaca ({reason}): simpan ulang dari aplikasi lembar kerja",
    ),
    "no_header": (
        "no header row found: the first row that is not a comment must name the columns",
        "baris judul tidak ditemukan: baris pertama yang bukan komentar harus berisi nama kolom",
    ),
    "missing_column": (
        "the required column '{value}' is missing",
        "kolom wajib '{value}' tidak ada",
    ),
    "duplicate_column": (
        "the column '{value}' appears twice",
        "kolom '{value}' muncul dua kali",
    ),
    "too_many_rows": (
        "more than {limit} rows: split the file",
        "lebih dari {limit} baris: bagi berkas menjadi beberapa",
    ),
    # refused before reading (preflight.py): nothing of the upload is kept
    "xlsx_too_large": (
        "the workbook unpacks to {size} MB, more than the {limit} MB that is read: split it, or remove pictures and sheets not imported",
        "buku kerja ini berukuran {size} MB setelah dibuka, lebih dari batas {limit} MB: bagi menjadi beberapa berkas, atau hapus gambar dan lembar yang tidak diimpor",
    ),
    "xlsx_size_lies": (
        "the part '{value}' unpacks to more than the {declared} bytes it declares: a damaged file or a zip bomb, not a saved spreadsheet — save it again from the spreadsheet program",
        "bagian '{value}' berisi lebih dari {declared} byte yang dinyatakannya: berkas rusak atau bom zip, bukan lembar kerja yang disimpan biasa — simpan ulang dari aplikasi lembar kerja",
    ),
    "xlsx_packed_too_tightly": (
        "the part '{value}' is compressed more than {limit} times, as no spreadsheet is: a zip bomb? Save it again from the spreadsheet program",
        "bagian '{value}' dimampatkan lebih dari {limit} kali, tidak seperti lembar kerja biasa: bom zip? Simpan ulang dari aplikasi lembar kerja",
    ),
    "xlsx_too_many_parts": (
        "the workbook holds {count} parts, more than {limit}: save it again from the spreadsheet program",
        "buku kerja berisi {count} bagian, lebih dari {limit}: simpan ulang dari aplikasi lembar kerja",
    ),
    "too_many_columns": (
        "a sheet reaches column {value} ({count} columns) but at most {limit} are read: delete the empty columns right of the table and save again",
        "sebuah lembar sampai ke kolom {value} ({count} kolom), padahal paling banyak {limit} kolom dibaca: hapus kolom kosong di kanan tabel lalu simpan ulang",
    ),
    "too_many_sheet_rows": (
        "a sheet reaches row {value} but at most {limit} rows are read: delete the empty rows below the table, or split the file",
        "sebuah lembar sampai ke baris {value}, padahal paling banyak {limit} baris dibaca: hapus baris kosong di bawah tabel, atau bagi berkasnya",
    ),
    "too_many_cells": (
        "the workbook holds more than {limit} cells (formatted empty cells count too): split it into several files",
        "buku kerja berisi lebih dari {limit} sel (sel kosong yang diformat ikut dihitung): bagi menjadi beberapa berkas",
    ),
    "too_many_shared_strings": (
        "the workbook's table of texts holds more than {limit} different texts: split it into several files",
        "tabel teks buku kerja berisi lebih dari {limit} teks berbeda: bagi menjadi beberapa berkas",
    ),
    "csv_too_many_columns": (
        "this row has {count} columns but at most {limit} are read: is it a CSV of one of our kinds?",
        "baris ini berisi {count} kolom, padahal paling banyak {limit} kolom dibaca: apakah ini CSV salah satu jenis kita?",
    ),
    "csv_line_too_long": (
        "a line is longer than {limit} characters: is this a CSV file?",
        "ada baris yang lebih panjang dari {limit} karakter: apakah ini berkas CSV?",
    ),
    "formula_cell": (
        "formula cells are not imported; paste as values",
        "sel berisi rumus tidak diimpor; tempel sebagai nilai (paste values)",
    ),
    "ignored_column": (
        "the column '{value}' is not imported (ignored)",
        "kolom '{value}' tidak diimpor (diabaikan)",
    ),
    # a sheet as a clerk keeps it (headers.py, reading.py)
    "kind_from_header": (
        "read as {value} from its column names",
        "dibaca sebagai {value} dari nama kolomnya",
    ),
    "title_skipped": (
        "title above the table skipped: {value}",
        "judul di atas tabel dilewati: {value}",
    ),
    "kecamatan_heading": (
        "heading row: the villages below are in Kecamatan {value}",
        "baris judul: desa di bawahnya ada di Kecamatan {value}",
    ),
    "total_row": (
        "totals row skipped ({value})",
        "baris jumlah dilewati ({value})",
    ),
    "nothing_to_import": (
        "row skipped: nothing in the imported columns",
        "baris dilewati: kolom yang diimpor kosong",
    ),
    "program_from_title": (
        "program read from the title: {value}",
        "program dibaca dari judul: {value}",
    ),
    "dates_from_title": (
        "no date columns: every row is taken as the year {value}, from the title",
        "tidak ada kolom tanggal: setiap baris dianggap tahun {value}, dari judul",
    ),
    "no_program_in_title": (
        "the program column is missing and the title names no single program: add a 'program' column",
        "kolom program tidak ada dan judul tidak menyebut satu program: tambahkan kolom 'program'",
    ),
    "no_year_in_title": (
        "the date columns are missing and the title gives no year: add 'tanggal mulai' and 'tanggal selesai'",
        "kolom tanggal tidak ada dan judul tidak menyebut tahun: tambahkan 'tanggal mulai' dan 'tanggal selesai'",
    ),
    "read_as": (
        "'{value}' read as '{label_en}'",
        "'{value}' dibaca sebagai '{label_id}'",
    ),
    "ignored_sheet": (
        "the sheet '{value}' is not imported (ignored)",
        "lembar '{value}' tidak diimpor (diabaikan)",
    ),
    "more_problems": (
        "{value} more problems not listed",
        "{value} masalah lain tidak ditampilkan",
    ),
    # cells
    "required": ("a value is needed", "nilai wajib diisi"),
    "too_long": (
        "too long: at most {limit} characters (has {length})",
        "terlalu panjang: paling banyak {limit} karakter (ada {length})",
    ),
    "bad_date": (
        "'{value}' is not a date: write 2021-03-01, 01/03/2021 or 1 Maret 2021",
        "'{value}' bukan tanggal: tulis 2021-03-01, 01/03/2021 atau 1 Maret 2021",
    ),
    "date_out_of_range": (
        "the date {value} is out of range (2000-2100)",
        "tanggal {value} di luar rentang (2000-2100)",
    ),
    "end_before_start": (
        "the end {value} comes before the start {start}",
        "tanggal akhir {value} sebelum tanggal mulai {start}",
    ),
    "bad_number": (
        "'{value}' is not a number: write a number such as 240000000, 240.000.000, Rp 125 juta or 12 KK",
        "'{value}' bukan angka: tulis angka seperti 240000000, 240.000.000, Rp 125 juta atau 12 KK",
    ),
    "number_out_of_range": (
        "{value} is out of range ({low} to {high})",
        "{value} di luar rentang ({low} sampai {high})",
    ),
    "bad_email": ("'{value}' is not an email address", "'{value}' bukan alamat email"),
    "bad_choice": (
        "'{value}' is not one of {choices}",
        "'{value}' bukan salah satu dari {choices}",
    ),
    "too_many_items": (
        "too many items: at most {limit}",
        "terlalu banyak isian: paling banyak {limit}",
    ),
    # cell values as clerks write them (parsing.py: numbers and dates; places.py)
    "formula_text": (
        "'{value}' is a formula: paste the value, not the formula",
        "'{value}' adalah rumus: tempel nilainya, bukan rumusnya",
    ),
    "not_whole_number": (
        "'{value}' is not a whole number: {hint_en}",
        "'{value}' bukan bilangan bulat: {hint_id}",
    ),
    "wrong_amount_kind": (
        "'{value}' is {found_en}, but this column needs {needed_en}",
        "'{value}' adalah {found_id}, padahal kolom ini berisi {needed_id}",
    ),
    "ambiguous_date": (
        "'{value}' can be read two ways: {readings_en} — write the one meant as year-month-day, such as {example}",
        "'{value}' dapat dibaca dua cara: {readings_id} — tulis yang dimaksud sebagai tahun-bulan-tanggal, misalnya {example}",
    ),
    "date_weekday_mismatch": (
        "'{value}': the day does not match the date ({day_en}) — check which is right",
        "'{value}': nama hari tidak cocok dengan tanggalnya ({day_id}) — periksa mana yang benar",
    ),
    "village_not_in_kecamatan": (
        "{name} is in Kecamatan {actual}, not Kecamatan {given}",
        "{name} ada di Kecamatan {actual}, bukan Kecamatan {given}",
    ),
    "kecamatan_disagrees": (
        "'{value}' is Kecamatan {named}, but the kecamatan column says {given}",
        "'{value}' adalah Kecamatan {named}, tetapi kolom kecamatan menyebut {given}",
    ),
    # references
    "unknown_village": (
        "unknown village '{name}' in kecamatan {kecamatan}",
        "desa '{name}' tidak dikenal di kecamatan {kecamatan}",
    ),
    "unknown_village_name": (
        "unknown village '{value}'",
        "desa '{value}' tidak dikenal",
    ),
    "unknown_village_code": (
        "unknown village code '{value}' (is its regency loaded?)",
        "kode desa '{value}' tidak dikenal (sudah dimuat kabupatennya?)",
    ),
    "unknown_kecamatan": (
        "unknown kecamatan '{value}'",
        "kecamatan '{value}' tidak dikenal",
    ),
    "ambiguous_village": (
        "there are several villages named '{value}': add the kecamatan ('{value}, Kecamatan')",
        "ada beberapa desa bernama '{value}': tambahkan kecamatannya ('{value}, Kecamatan')",
    ),
    "ambiguous_kecamatan": (
        "there are several kecamatan named '{value}': use its code",
        "ada beberapa kecamatan bernama '{value}': gunakan kodenya",
    ),
    "kecamatan_not_allowed": (
        "'{value}' is a kecamatan: name a village here",
        "'{value}' adalah kecamatan: sebutkan desa di sini",
    ),
    "unknown_skill": ("unknown skill '{value}'", "keahlian '{value}' tidak dikenal"),
    "unknown_activity": ("unknown activity '{value}'", "kegiatan '{value}' tidak dikenal"),
    "unknown_program": ("unknown program '{value}'", "program '{value}' tidak dikenal"),
    # a clerk's phrase that fits several entries (phrases.py, lookups.py; regency synonyms)
    "ambiguous_skill": (
        "'{value}' fits several skills: {options_en} — choose one",
        "'{value}' cocok dengan beberapa keahlian: {options_id} — pilih salah satu",
    ),
    "ambiguous_activity": (
        "'{value}' fits several activities: {options_en} — choose one",
        "'{value}' cocok dengan beberapa kegiatan: {options_id} — pilih salah satu",
    ),
    "ambiguous_program": (
        "'{value}' fits several programs: {options_en} — choose one",
        "'{value}' cocok dengan beberapa program: {options_id} — pilih salah satu",
    ),
    "unknown_person": (
        "nobody with the email '{value}' is known: add them in the people sheet",
        "tidak ada orang dengan email '{value}': tambahkan di lembar people",
    ),
    "person_refused": (
        "'{value}' is refused in {other_file} row {other}: fix that row first",
        "'{value}' ditolak di {other_file} baris {other}: perbaiki baris itu dulu",
    ),
    "duplicate_key": (
        "the same {what} as row {other} of {other_file}",
        "{what} sama dengan baris {other} di {other_file}",
    ),
    # scope
    "out_of_scope": (
        "'{value}' is outside your regency {regency}",
        "'{value}' di luar kabupaten Anda {regency}",
    ),
    "other_regency": (
        "'{value}' {where_en}, not in regency {regency} where this row is: name people of that regency only",
        "'{value}' {where_id}, bukan di kabupaten {regency} tempat baris ini: sebutkan orang dari kabupaten itu saja",
    ),
    "role_not_allowed": (
        "only an admin may make someone an admin",
        "hanya admin yang dapat menjadikan seseorang admin",
    ),
    "program_shared": (
        "program '{value}' is shared by every regency: only an admin may change it",
        "program '{value}' dipakai semua kabupaten: hanya admin yang dapat mengubahnya",
    ),
    # writing
    "write_failed": (
        "the database refused the import, nothing was written: {reason}",
        "basis data menolak impor, tidak ada yang ditulis: {reason}",
    ),
}
