"""Makes the repository root importable when the tests run from a checkout."""
