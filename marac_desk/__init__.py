"""MARAC Desk: offline, encrypted case management for multi-agency risk panels."""

__version__ = "0.1.0"
APP_NAME = "MARAC Desk"
