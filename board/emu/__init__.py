"""The emulated board: register-level chip models on an emulated SPI bus, GPIO and PCM."""
