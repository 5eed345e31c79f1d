"""Victims' Code compliance reporting: aggregates only, never personal data."""
