"""The workbench's routes: the consultant's pages of a round's themes and the edits of them."""
