"""The synthesis pages: proposals, coverage, and the reading pages (value, strategy map, report)."""
