"""The SIP edge: Kamailio, configured, provisioned and supervised by the daemon."""
