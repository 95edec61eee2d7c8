"""One module per page group, each exposing ``router``."""
