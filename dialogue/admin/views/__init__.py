"""The admin's routes: the participants page, the sends and the sign-in settings."""
