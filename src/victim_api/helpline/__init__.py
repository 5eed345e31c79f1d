"""The helpline and victim self-service: verification, victim sessions, the
victim's own views (case, timeline, preferences, speech) and the agent's screen."""
