"""Fixture backend: prints a greeting."""

print("hello from the fixture backend")
