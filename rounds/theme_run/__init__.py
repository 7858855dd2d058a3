"""The bridge from a round's contributions to persisted themes: read, run, merge, describe."""
