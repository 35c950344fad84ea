"""Committee accounts: their passwords and sign-in sessions."""
