"""The board: hardware abstraction, chip drivers, Linux backends and the emulator."""


class BoardError(Exception):
    """Root of every error the board layer raises on purpose."""
