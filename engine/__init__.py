"""engine: single containers, images and volumes. It never imports `compose`."""
