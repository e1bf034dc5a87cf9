"""Followers (people known to an Official Account) and players (a follower in a campaign)."""
