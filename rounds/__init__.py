"""Round kinds and the round lifecycle: what each kind asks, validates, stores and feeds back."""
