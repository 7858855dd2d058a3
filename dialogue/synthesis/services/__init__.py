"""What the synthesis writes: proposals and their links, and the coverage decisions."""
