"""Participation events in SQL, and the day-by-day statistics computed from them."""
