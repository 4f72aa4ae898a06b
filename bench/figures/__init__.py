"""One module per figure; each has NUMBER, TITLE and run(ctx) -> list of stats.Figure."""
