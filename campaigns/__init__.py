"""The campaign domain: campaigns, prize tiers, draws, inventory, coupons, analytics.

Nothing in this package imports Flask. Services take a SQLAlchemy session, a Redis
client, a clock and plain values, so the web app, the worker and the CLI share them.
"""
