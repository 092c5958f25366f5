"""The domain of nhiemvu: plans, units, users and event-sourced tasks.

This package imports neither Flask nor SQLAlchemy (a test keeps it that way).
"""
