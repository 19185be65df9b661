"""The help desk's daily call list and call outcomes."""
