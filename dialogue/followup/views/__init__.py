"""The follow-up pages, by topic: the board with its initiatives, and the periodic review."""
