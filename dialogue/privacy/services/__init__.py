"""The privacy feature's writes, by topic: retention and deletion, erasure, the notice shown."""
