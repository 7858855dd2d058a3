"""Extra questions beside a round kind's own form: reading, setting up and answering them."""
