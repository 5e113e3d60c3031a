"""Analog lines: FXS and FXO channels on the board's ports, as call legs the PBX can use."""
