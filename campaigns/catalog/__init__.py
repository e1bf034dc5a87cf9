"""Official Accounts, campaigns, prize tiers, rules versions and channels."""
