"""Platform detectors: one small module per platform, registered in ``registry``."""
