"""The workbench's reads: the figures of a round's themes and the lists its pages show."""
