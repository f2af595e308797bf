"""Documents and files that leave the store: plain data in (`export.model`), bytes out.

- `minutes.build_minutes`, `agenda.build_agenda`, `action_list.build_action_list`: PDFs
  (shared page furniture, fonts, escaping and encryption in `export.pdf`);
- `spreadsheets`: actions and the case list as CSV and XLSX;
- `ics.schedule_ics`: meetings and due dates as iCalendar, without personal data;
- `files.write_atomic`: put any of them on disk all or nothing.

This package imports only `marac_desk.core` and third-party libraries (tests/test_layers.py).
"""
