"""Device farms: engines that run a batch of cells on phones the harness cannot reach by adb (docs/farm.md)."""
