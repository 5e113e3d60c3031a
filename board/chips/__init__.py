"""Chip drivers: register-level control of the SLIC and DAA, through the HAL only."""
