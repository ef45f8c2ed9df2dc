"""Micro-wishes (微心愿): workers ask, union staff moderate, volunteers claim exactly once."""
