"""Round results: aggregation, breakdowns, cached and live results, feedback, participation."""
