"""victim-api: the system behind a police force's victim-care service."""

__version__ = "0.1.0"
