"""Accessible patient-guide publishing: one Markdown source, three outputs."""

__version__ = "0.1.0"
