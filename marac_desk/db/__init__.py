"""The encrypted store: models, SQLCipher engine, lifecycle and migrations."""
