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
    "formula_cell": (
        "formula cells are not imported; paste as values",
        "sel berisi rumus tidak diimpor; tempel sebagai nilai (paste values)",
    ),
    "ignored_column": (
        "the column '{value}' is not imported (ignored)",
        "kolom '{value}' tidak diimpor (diabaikan)",
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
        "'{value}' is not a date: write YYYY-MM-DD or DD/MM/YYYY",
        "'{value}' bukan tanggal: tulis YYYY-MM-DD atau DD/MM/YYYY",
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
        "'{value}' is not a whole number: write digits only, without dots or commas",
        "'{value}' bukan bilangan bulat: tulis angka saja, tanpa titik atau koma",
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
    "unknown_person": (
        "nobody with the email '{value}' is known: add them in the people sheet",
        "tidak ada orang dengan email '{value}': tambahkan di lembar people",
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
