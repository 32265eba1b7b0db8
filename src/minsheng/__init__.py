"""minsheng: the annual livelihood projects (民生实事) as validated data, progress and bulletins."""

__version__ = "0.1.0"
