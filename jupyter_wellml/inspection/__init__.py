"""Inspection: notebook and environment facts → lens rules → findings and the lifecycle phase."""

from .review import Finding, Review, review

__all__ = ["Finding", "Review", "review"]
