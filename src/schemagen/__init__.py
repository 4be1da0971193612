"""schemagen: from one folder of resource schemas to a complete, runnable project."""

__version__ = "0.1.0"
