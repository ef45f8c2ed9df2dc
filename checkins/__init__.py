"""Check-ins at rest stations: one tap or a QR poster, live free seats, typed reports and the
staff usage view. docs/checkins.md describes the rules."""
