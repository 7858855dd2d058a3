"""The steps that build the demo dialogues; they flush, the commands commit."""
