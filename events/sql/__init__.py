"""How a command's statements reach the database, on SQLite and PostgreSQL alike.

- ``compiled``: statements built once, compiled once per database kind, run on the
  driver with their own types' conversions (no per-call SQLAlchemy binding);
- ``pipeline``: PostgreSQL's pipeline mode around a block of writes, so they cost
  one wait rather than one each.

May import: nothing of nhiemvu (SQLAlchemy only).
"""
