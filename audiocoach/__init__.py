"""audiocoach: turn a routine file into a voice-guided workout track."""

__version__ = "0.1.0"
