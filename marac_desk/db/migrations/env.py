"""Alembic environment: always runs on the connection the app hands over (already keyed)."""

from alembic import context

from marac_desk.db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - guards against running `alembic` by hand
    raise RuntimeError("MARAC Desk migrations run only through the app, on an unlocked store.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things in place
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
