"""Beneficiary lists: encoded on arrival, linked across programs, never kept in clear."""
