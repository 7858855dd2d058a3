"""Participant administration's writes: import, invitation and reminder mails, reminder times."""
