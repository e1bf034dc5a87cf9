"""The Flask side that is not a game: errors, health, security headers, CLI, console, API."""
