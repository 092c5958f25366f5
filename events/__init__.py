"""Event store wiring, read models (projections) and the command line."""
