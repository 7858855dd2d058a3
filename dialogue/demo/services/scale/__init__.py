"""The steps of ``dialogue generate``: one large synthetic dialogue, written in bulk."""
