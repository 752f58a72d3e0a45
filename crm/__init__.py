"""The CRM store: tables, engine/session, scope, CSV import, demo data, migrations.

Imports only sqlmodel/sqlalchemy, pandas/numpy and the standard library; never
``tools``, ``knowledge``, ``assistant`` or ``api``.
"""
