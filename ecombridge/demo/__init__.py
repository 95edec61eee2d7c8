"""A realistic demo shop, generated deterministically from a seed, to fill a bridge with data."""
