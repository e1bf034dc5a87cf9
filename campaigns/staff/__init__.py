"""Staff accounts (admin, marketer, operator) of the console."""
