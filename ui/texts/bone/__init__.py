"""Words for the bone-protection calendar (/bone), one module per feature."""
