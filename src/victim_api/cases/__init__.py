"""Cases and the Victims' Code: case records pushed by police systems, a
victim-facing timeline, enhanced entitlements, and notification duties with
deadlines in working days. See docs/cases.md."""
