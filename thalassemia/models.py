"""Thalassaemia children, their transfusion plans and calendars, and their donor circles."""
