"""Property-based tests (hypothesis) of the filmc front end."""
