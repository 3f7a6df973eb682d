"""Hydra configuration: YAML files in this folder and the schema in ``schema.py``."""
