"""The daemon: entry point, configuration, composition root, systemd integration."""
