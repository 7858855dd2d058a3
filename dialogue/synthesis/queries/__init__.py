"""What the synthesis reads: figures, coverage, traces, theme feedback, exports and the report."""
