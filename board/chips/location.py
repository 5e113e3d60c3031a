"""Where a chip sits: its port, part, chip select and position in that select's daisy chain."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ChipLocation:
    """A chip's address on the board, as errors and logs name it."""

    port: str
    chip: str
    chip_select: str
    chain_index: int

    def __str__(self) -> str:
        return (
            f"{self.port}: {self.chip} on chip select {self.chip_select!r}"
            f" (chain position {self.chain_index})"
        )
