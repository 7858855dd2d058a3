"""The participant's pages, by topic: a round, "my input", and input kept from an ended session."""
