"""A webhook delivery is unique by (site, delivery id, digest of topic and body).

WooCommerce's ``X-WC-Webhook-Delivery-ID`` is ``wp_hash(webhook_id . strtotime('now'))``:
every delivery of one webhook within a second shares it, so the id alone dropped all but
the first order of a bulk change and all but one product of a variation edit.

Revision ID: 0007_webhook_dedupe
Revises: 0006
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_webhook_dedupe"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        # Rows stored before keep "": their (site, delivery id) was unique already.
        batch_op.add_column(
            sa.Column("content_sha256", sa.String(length=64), nullable=False, server_default="")
        )
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.alter_column("content_sha256", server_default=None)
        batch_op.drop_constraint("uq_order_events_site_delivery", type_="unique")
        batch_op.create_unique_constraint(
            "uq_order_events_site_delivery", ["site_id", "delivery_id", "content_sha256"]
        )


def downgrade() -> None:
    # The old key cannot hold two deliveries of one id: keep the first received of each.
    op.execute(
        "DELETE FROM order_events WHERE EXISTS (SELECT 1 FROM order_events AS older"
        " WHERE older.site_id = order_events.site_id"
        " AND older.delivery_id = order_events.delivery_id"
        " AND (older.received_at < order_events.received_at"
        " OR (older.received_at = order_events.received_at AND older.id < order_events.id)))"
    )
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_order_events_site_delivery", type_="unique")
        batch_op.create_unique_constraint(
            "uq_order_events_site_delivery", ["site_id", "delivery_id"]
        )
        batch_op.drop_column("content_sha256")
