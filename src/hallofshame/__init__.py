"""Theme Park Hall of Shame: which theme parks and rides break down the most."""

__version__ = "0.1.0"
