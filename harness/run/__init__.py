"""The run layer: a matrix on a device, each cell repeated in fresh shells, one typed report per cell."""
