"""Victims: the people on a case, their contact safety, consent, secrets and contact log."""
