"""The accounts page's form: shape only (its CSRF token); ``services`` does the action."""

from dialogue.core.forms import Form


class AccountActionForm(Form):
    """One button on the accounts page (disable, enable, end sessions, reset two-factor)."""
