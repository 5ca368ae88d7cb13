"""What tests build, in one place: tests import their helpers from here, never from a
conftest (the conftest files hold only fixtures and hooks, and the fixtures use these
factories; tests/test_test_kit.py checks it).

- environment: the real services a test needs (PostgreSQL, Chromium), the test key
- databases: `FakeClock`, `Backend`, migrated SQLite files and PostgreSQL schemas
- pre_aanmeldingen: screening profiles and pre-aanmeldingen to store
- dashboard: staff accounts, the dashboard's `World` and an HTTP client on it
- web_chat: the web chat on an app (`chat_app`) and a browser without JavaScript
- intakes: complete intakes through the conversation service, privacy service
- tables: raw and decrypted dumps of every table, row counts, keyrings
- engine: the engine with a fixed clock and counting ids, one `Chat` at a time
- flow_files, service_data: a small valid flow, a complete service data file
- commands: the `intake` commands that open the database, how a test runs them
- damaged_files: SQLite files damaged as files get damaged, and their fingerprint
- installs: a stopped install's database holding data under a known key
- full_disk: a full disk without root (SQLite's page limit, a PostgreSQL trigger, a
  file size limit for a subprocess)

Channel harnesses stay next to their tests (tests/telegram/harness.py, tests/web/
html_page.py, tests/fakes/), and the golden scenarios are read by
tests/scenario_files.py.
"""
