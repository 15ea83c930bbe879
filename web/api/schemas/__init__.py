"""Pydantic models of the API, one module per resource; they validate, serialise and document."""
