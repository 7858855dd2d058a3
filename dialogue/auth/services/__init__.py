"""Logging in and joining: passwords, links, second factors, the OpenID provider, open dialogues."""
