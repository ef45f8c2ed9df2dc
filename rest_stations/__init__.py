"""Rest stations: where they are, what they offer, when they are open, and which is nearest."""
