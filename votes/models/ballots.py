"""Deliberation: ballots, positions and comments (a later issue).

Seats and roles live in ``committee``; this app builds on them.
"""
