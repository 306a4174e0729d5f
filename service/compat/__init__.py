"""Endpoints shaped like other services' APIs, translating to the same core."""
