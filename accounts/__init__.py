"""Accounts: workers, staff and admins; login, profile, privacy, and who may do what."""
