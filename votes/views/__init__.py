"""Deliberation's pages."""
