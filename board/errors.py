"""Board errors: what went wrong with a chip, naming the port and where the chip sits."""

from board import BoardError


class ChipError(BoardError):
    """A chip misbehaved. `where` names the port, chip and chip select."""

    def __init__(self, where: str, problem: str):
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


class ChipNotFound(ChipError):
    """Nothing sensible answers at the chip's address (absent, unpowered, no clock)."""


class ChipTimeout(ChipError):
    """The chip did not finish something (calibration, power-up, link) in time."""


class ChipFault(ChipError):
    """The chip answered, but wrongly: a register that does not hold what was written,
    a battery that never rises, a calibration result out of range."""
