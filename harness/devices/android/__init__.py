"""Android phones over adb: the link (adbutils), the device backend, and the app and cli execution modes."""
