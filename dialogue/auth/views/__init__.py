"""The login blueprint's routes: password and link, second factor, the provider, joining."""
