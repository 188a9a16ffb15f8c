"""Stand-alone tools (standard library only) that run without the platform."""
