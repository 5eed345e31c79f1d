"""Referrals of victims to support services, and the partner pull that delivers them."""
