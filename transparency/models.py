"""Publications: what a finance director has marked published for the public transparency page."""
