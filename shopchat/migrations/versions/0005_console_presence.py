"""Console presence: open console sockets per agent, and the availability to restore.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 15:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "console_sockets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_console_sockets_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sockets")),
    )
    with op.batch_alter_table("console_sockets", schema=None) as batch_op:
        batch_op.create_index("ix_console_sockets_agent", ["agent_id", "expires_at"], unique=False)
    op.create_table(
        "agent_presence",
        sa.Column("agent_id", sa.Uuid(), nullable=False),
        sa.Column("restore_to", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_agent_presence_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_agent_presence")),
    )


def downgrade() -> None:
    op.drop_table("agent_presence")
    with op.batch_alter_table("console_sockets", schema=None) as batch_op:
        batch_op.drop_index("ix_console_sockets_agent")
    op.drop_table("console_sockets")
