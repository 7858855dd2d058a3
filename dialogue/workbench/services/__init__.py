"""The consultant's writes to a round's themes: the edits and their history."""
