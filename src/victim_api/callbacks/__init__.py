"""Callbacks: a verified victim asks to be called back, staff claim and complete it;
and the victim's service-satisfaction feedback."""
