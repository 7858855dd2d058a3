"""People's accounts across dialogues: lock out, let in, end logins, reset the second factor.

``services`` holds the operations, ``cli`` the operator's commands (``dialogue disable-user``
and friends); the admin's accounts page (``dialogue.admin.accounts``) calls the same services.
"""
