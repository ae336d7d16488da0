"""Thin Lambda entry points: parse the event, call the domain, shape the response.

Nothing outside this package imports from it.
"""
