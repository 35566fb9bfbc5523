"""iPhones and iPads over usbmux and lockdown (and the RSD tunnel from iOS 17), through pymobiledevice3."""
