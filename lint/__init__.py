"""The project's own import-linter contracts (see ``[tool.importlinter]`` in pyproject.toml)."""
