"""Helpers of the forms differential test (test_forms_differential.py)."""
