"""The admin's round pages, by topic: the rounds themselves and their extra questions."""
