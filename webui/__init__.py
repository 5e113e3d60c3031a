"""The web panel and REST API, served by Tornado on the daemon's event loop."""
