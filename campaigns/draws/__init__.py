"""The draw engine: provably-fair draws against the Redis prize inventory."""
