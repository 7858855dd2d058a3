"""Closed rounds' results, computed once and kept in ``round_results_cache``."""
