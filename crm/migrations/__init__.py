"""Alembic environment and revisions of the CRM store (see :mod:`crm.migrate`)."""
