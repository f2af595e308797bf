"""Data shipped with MARAC Desk (installed as the package `marac_desk.resources`)."""
