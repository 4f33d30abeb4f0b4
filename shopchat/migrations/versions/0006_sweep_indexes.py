"""Indexes for the background sweeps that look across sites.

Reply recovery finds conversations still with the assistant by age; the webhook worker
finds unprocessed deliveries, and housekeeping deletes long-processed ones.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 17:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index("ix_conversations_status_updated", ["status", "updated_at"])
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.create_index("ix_order_events_processed", ["processed_at"])


def downgrade() -> None:
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.drop_index("ix_order_events_processed")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_status_updated")
